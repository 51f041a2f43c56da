// The parts of ssh2 vsim uses. Built as its own bundle (dist/lib/ssh2.js) and required lazily by
// src/remote/ssh2Loader.ts on the first connection, so activation never pays for loading ssh2.
export { Client, utils } from 'ssh2';
export type {
  AuthenticationType, ClientChannel, ConnectConfig, ParsedKey, PseudoTtyOptions, ExecOptions,
} from 'ssh2';
