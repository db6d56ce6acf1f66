/** Every user-facing CLI text that is not built from data, kept in one place. */
export const MESSAGES = {
  program: 'Groundwork: a complete, secure AWS multi-account foundation from one config file.',
  commands: {
    validate: 'Check the config file; every error is printed as FILE:LINE:COL path: message (hint)',
    emulator: 'Manage the local AWS emulator (moto server)',
    emulatorStart: 'Install the emulator if needed and start it in the background',
    emulatorStop: 'Stop the emulator that Groundwork started',
    emulatorStatus: 'Show whether the emulator is running and where',
    synth: 'Synthesize every CDK stack (cdk-nag included) into cdk.out/',
    up: 'The sandbox: start the emulator, apply the config, and check the stacks',
    schema: 'Write the JSON Schema of groundwork.yaml, for editor completion',
  },
  options: {
    config: 'config file',
    target: 'where AWS calls go: sandbox (local emulator) or aws (real AWS); env GROUNDWORK_TARGET',
    profile: 'AWS named profile (with --target aws)',
    region: 'AWS region (default: organization.homeRegion)',
    endpoint: 'custom AWS endpoint URL (default: AWS_ENDPOINT_URL, else the sandbox emulator)',
    json: 'machine-readable output on stdout, nothing else there',
    verbose: 'show stack traces and debug details',
    port: 'port to serve on',
    out: 'output folder',
  },
  emulatorNotRunning: 'the sandbox emulator is not running',
  emulatorNotRunningHint: 'start it with `npx groundwork emulator start` (or `npm start`)',
  unexpected: 'unexpected error',
  unexpectedHint: 'run again with --verbose for the stack trace, and report it if it persists',
} as const;
