// A harmless condition a command meets (nothing to choose from, nothing to show, a host the user
// disconnected): thrown like an error to stop the command, shown by the registry as information.
export class Notice extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Notice';
  }
}
