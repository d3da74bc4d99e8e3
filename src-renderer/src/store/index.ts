import { client } from '../ipc/client';
import { createAppStore } from './use-app-store';

export const useAppStore = createAppStore(client);
