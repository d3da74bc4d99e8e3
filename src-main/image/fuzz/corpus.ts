// The seed corpus: writer-made images with varied options plus the hostile classes, all generated
// by code (nothing binary is checked in).
import { hostileSeeds } from './hostile-seeds';
import { writerSeeds, type SeedImage } from './writer-seeds';

export async function buildCorpus(): Promise<SeedImage[]> {
  return [...(await writerSeeds()), ...(await hostileSeeds())];
}
