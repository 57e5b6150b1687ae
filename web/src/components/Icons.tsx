/** Small inline icons (stroke, currentColor), so no icon font or package is loaded. */
import type { SVGProps } from 'react';

function make(d: string) {
  return function Icon(props: SVGProps<SVGSVGElement> & { size?: number }) {
    const { size = 18, ...rest } = props;
    return (
      <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" {...rest}>
        <path d={d} />
      </svg>
    );
  };
}

export const IconServer = make('M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01');
export const IconTerminal = make('M4 17l6-6-6-6M12 19h8');
export const IconFolder = make('M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z');
export const IconFile = make('M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6');
export const IconDatabase = make('M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zM4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3');
export const IconClock = make('M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 3');
export const IconUsers = make('M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8');
export const IconArchive = make('M3 4h18v4H3zM5 8v12h14V8M10 12h4');
export const IconNetwork = make('M12 3v6M5 21v-4h14v4M12 9v8M5 17V13h14v4M9 3h6v6H9z');
export const IconRocket = make('M5 15c-1.5 1.3-2 5-2 5s3.7-.5 5-2M9 12l3 3M14.5 4.5c2-2 5.5-1.5 5.5-1.5s.5 3.5-1.5 5.5L12 15l-3-3z');
export const IconSettings = make('M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z');
export const IconActivity = make('M22 12h-4l-3 9L9 3l-3 9H2');
export const IconUser = make('M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z');
export const IconShield = make('M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z');
export const IconKey = make('M21 2l-2 2m-7.6 7.6a5.5 5.5 0 1 1-7.8 7.8 5.5 5.5 0 0 1 7.8-7.8zm0 0L15.5 7.5m0 0l3 3L22 7l-3-3m-3.5 3.5L19 4');
export const IconMap = make('M1 6v16l7-4 8 4 7-4V2l-7 4-8-4-7 4zM8 2v16M16 6v16');
export const IconEgg = make('M12 22c4 0 7-3 7-8S15.5 2 12 2 5 9 5 14s3 8 7 8z');
export const IconHdd = make('M22 12H2M5.5 5h13l3.5 7v6a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2v-6zM6 16h.01M10 16h.01');
export const IconLogout = make('M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9');
export const IconCopy = make('M9 9h11v11H9zM5 15H4V4h11v1');
export const IconUpload = make('M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12');
export const IconDownload = make('M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3');
export const IconDots = make('M12 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM19 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM5 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z');
export const IconPlus = make('M12 5v14M5 12h14');
export const IconTrash = make('M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6');
export const IconLock = make('M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4');
export const IconHome = make('M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z');
export const IconMount = make('M4 20h16M6 16l6-12 6 12');
