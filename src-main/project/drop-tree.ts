// IPC of folders dropped on the browser shell's page (the page walks them with the File and
// Directory Entries API and streams each file): stash.tree opens a folder in the stash,
// stash.begin {tree, dir} puts each file at its relative place in it, stash.mkdir keeps empty
// folders, and stash.finishTree stages the tree's top-level entries into a project folder in one
// undoable step, as if the same folders had been added from the file pane.
import type { RequestOf, ResponseOf } from '../common/ipc/contract';
import type { DropStash } from './drop-stash';
import type { ProjectService } from './project-service';

type Handler<M extends 'stash.tree' | 'stash.mkdir' | 'stash.finishTree'> = (params: RequestOf<M>) => Promise<ResponseOf<M>>;

export function stashTreeHandlers(stash: DropStash, project: ProjectService): { 'stash.tree': Handler<'stash.tree'>; 'stash.mkdir': Handler<'stash.mkdir'>; 'stash.finishTree': Handler<'stash.finishTree'> } {
  return {
    'stash.tree': () => stash.beginTree(),
    'stash.mkdir': async ({ tree, dirs }) => {
      await stash.mkdirs(tree, dirs);
      return null;
    },
    'stash.finishTree': async ({ tree, uploadIds, into }) => {
      const paths = await stash.finishTree(tree, uploadIds);
      const names = paths.map((p) => p.split(/[\\/]/).pop()!);
      return project.addPaths(paths, into, { label: names.length === 1 ? `Add dropped ${names[0]}` : `Add ${names.length} dropped items` });
    },
  };
}
