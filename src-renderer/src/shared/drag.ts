// Drag payloads inside the page: host paths from the file pane, project paths from the tree. OS
// drops carry Files instead (handled by the project pane).
export const HOST_PATHS_MIME = 'application/x-glassmaster-host-paths';
export const PROJECT_PATHS_MIME = 'application/x-glassmaster-project-paths';

export function readPaths(dt: DataTransfer, mime: string): string[] | undefined {
  const raw = dt.getData(mime);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) && v.every((p) => typeof p === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}
