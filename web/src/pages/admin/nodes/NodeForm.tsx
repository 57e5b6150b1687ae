import type { Location, Node, NodeBody } from '../../../api/types';
import { FieldsForm, type FieldValue } from '../../../components/FieldsForm';
import { intInRange } from '../../../lib/validation';
import { strings } from '../../../strings';

const s = strings.admin.nodes;

/** The node settings form, for creating (`node` null) and editing. */
export function NodeForm({ node, locations, onSubmit, onCancel }: { node: Node | null; locations: Location[]; onSubmit: (body: NodeBody) => Promise<unknown>; onCancel?: () => void }) {
  const port = (label: string) => (v: FieldValue) => intInRange(v as number, label, 1, 65535);
  return (
    <FieldsForm
      fields={[
        { name: 'name', label: s.name, required: true, validate: (v) => (/^[\w .-]{1,100}$/.test(String(v)) ? null : strings.validation.regex(s.name.toLowerCase())) },
        { name: 'location_id', label: s.location, type: 'select', required: true, options: locations.map((l) => ({ value: String(l.id), label: `${l.short}${l.long ? ` — ${l.long}` : ''}` })) },
        { name: 'fqdn', label: s.fqdn, required: true },
        { name: 'daemon_base', label: s.daemonBase },
        { name: 'daemon_listen', label: s.daemonListen, type: 'number', required: true, validate: port(s.daemonListen) },
        { name: 'daemon_sftp', label: s.daemonSftp, type: 'number', required: true, validate: port(s.daemonSftp) },
        { name: 'memory', label: s.memory, type: 'number', required: true, min: 0 },
        { name: 'memory_overallocate', label: s.memoryOver, type: 'number', min: -1 },
        { name: 'disk', label: s.disk, type: 'number', required: true, min: 0 },
        { name: 'disk_overallocate', label: s.diskOver, type: 'number', min: -1 },
        { name: 'upload_size', label: s.uploadSize, type: 'number', validate: (v) => intInRange(v as number, s.uploadSize, 1, 1024) },
        { name: 'scheme', label: s.scheme, type: 'switch' },
        { name: 'behind_proxy', label: s.behindProxy, type: 'switch' },
        { name: 'public', label: s.public, type: 'switch' },
        { name: 'maintenance_mode', label: s.maintenance, type: 'switch' },
      ]}
      initial={{
        name: node?.name ?? '',
        location_id: node ? String(node.location_id) : locations[0] ? String(locations[0].id) : null,
        fqdn: node?.fqdn ?? '',
        daemon_base: node?.daemon_base ?? '/var/lib/pterodactyl/volumes',
        daemon_listen: node?.daemon_listen ?? 8080,
        daemon_sftp: node?.daemon_sftp ?? 2022,
        memory: node?.memory ?? 4096,
        memory_overallocate: node?.memory_overallocate ?? 0,
        disk: node?.disk ?? 20480,
        disk_overallocate: node?.disk_overallocate ?? 0,
        upload_size: node?.upload_size ?? 100,
        scheme: node ? node.scheme === 'https' : true,
        behind_proxy: node?.behind_proxy ?? false,
        public: node?.public ?? true,
        maintenance_mode: node?.maintenance_mode ?? false,
      }}
      submitLabel={node ? strings.common.save : strings.common.create}
      onCancel={onCancel}
      onSubmit={(v) =>
        onSubmit({
          name: String(v.name).trim(),
          location_id: Number(v.location_id),
          fqdn: String(v.fqdn).trim(),
          daemon_base: String(v.daemon_base || '/var/lib/pterodactyl/volumes'),
          daemon_listen: Number(v.daemon_listen),
          daemon_sftp: Number(v.daemon_sftp),
          memory: Number(v.memory),
          memory_overallocate: Number(v.memory_overallocate ?? 0),
          disk: Number(v.disk),
          disk_overallocate: Number(v.disk_overallocate ?? 0),
          upload_size: Number(v.upload_size ?? 100),
          scheme: v.scheme ? 'https' : 'http',
          behind_proxy: v.behind_proxy === true,
          public: v.public === true,
          maintenance_mode: v.maintenance_mode === true,
        })
      }
    />
  );
}
