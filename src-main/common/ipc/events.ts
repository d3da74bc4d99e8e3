// Event names of the contract, in a file of their own so the preload can list them without
// bundling the request schemas.
export const eventNames = ['devices.onDidChange', 'devices.onMediaChange', 'project.onDidChange', 'project.onProgress', 'burn.onProgress', 'devices.onBusyChange', 'disc.onProgress', 'audio.onDidChange', 'audio.onProgress'] as const;
