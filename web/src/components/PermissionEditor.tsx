import { Card, Checkbox, SimpleGrid, Stack, Text } from '@mantine/core';
import { canGrant, groupState, toggleGroup, toggleKey, type PermissionGroup } from '../lib/permissions';
import { strings } from '../strings';

/**
 * Checkboxes for subuser permissions, grouped as the panel describes them: a box per
 * group (checked / indeterminate / clear) and one per key with its description. Keys the
 * current user does not hold are disabled.
 */
export function PermissionEditor({
  groups,
  selected,
  onChange,
  own,
}: {
  groups: PermissionGroup[];
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  /** The permissions of the user doing the editing (`*` for owners and admins). */
  own: readonly string[];
}) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
      {groups.map((g) => {
        const state = groupState(g, selected);
        const grantable = g.keys.every((k) => canGrant(k.key, own));
        return (
          <Card key={g.name} withBorder padding="sm" radius="md" component="fieldset" aria-label={g.name} style={{ margin: 0 }}>
            <Checkbox
              label={<Text fw={600} size="sm" tt="capitalize">{g.name}</Text>}
              aria-label={strings.subusers.selectGroup(g.name)}
              checked={state === 'all'}
              indeterminate={state === 'some'}
              disabled={!grantable}
              onChange={() => onChange(toggleGroup(g, selected))}
            />
            <Text size="xs" c="dimmed" mb="xs" mt={2}>
              {g.description}
            </Text>
            <Stack gap={6} pl="md">
              {g.keys.map((k) => (
                <Checkbox
                  key={k.key}
                  size="xs"
                  value={k.key}
                  label={<span className="aerie-mono">{k.key}</span>}
                  description={k.description}
                  checked={selected.has(k.key)}
                  disabled={!canGrant(k.key, own)}
                  title={canGrant(k.key, own) ? undefined : strings.subusers.cannotGrant}
                  onChange={() => onChange(toggleKey(k.key, selected))}
                />
              ))}
            </Stack>
          </Card>
        );
      })}
    </SimpleGrid>
  );
}
