// The console feature: the window's VM serial consoles and SSH logins as terminals.
import type { LabsFeature } from '../workspace/labsFeature';
import { Consoles } from './consoles';

/** `storageDir`: the extension's global storage; console transcripts go in its `transcripts/`. */
export function registerConsoles({ labs, connections, backends }: Pick<LabsFeature, 'labs' | 'connections' | 'backends'>, storageDir?: string): Consoles {
  return new Consoles(labs, connections, () => backends, storageDir);
}
