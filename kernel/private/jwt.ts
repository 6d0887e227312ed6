// The JWT helpers live in the SDK (sdk/jwt.ts), since plugins sign their private upgrades with them; re-exported
// here for the kernel's and the simulators' existing imports.

export * from '../../sdk/jwt.ts';
