// The console feature: the window's VM serial consoles and SSH logins as terminals.
import type { LabsFeature } from '../workspace/labsFeature';
import { Consoles } from './consoles';

export function registerConsoles({ labs, connections, backends }: Pick<LabsFeature, 'labs' | 'connections' | 'backends'>): Consoles {
  return new Consoles(labs, connections, () => backends);
}
