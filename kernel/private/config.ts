// The `private` section of config.yaml: per-account private streams. The file names environment variables; the
// keys themselves never appear in it.

import { z } from 'zod';
import { isSymbol } from '../../sdk/model.ts';
import { PRIVATE_TYPES } from '../../sdk/private.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. UPBIT_SECRET_KEY');

const accountSchema = z.strictObject({
  /** who may receive the records: a client's identity lists it in `accounts` */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected an account id: letters, digits, "_", "." or "-", at most 64'),
  /** the exchange (a configured, enabled one whose plugin has private streams) */
  exchange: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case exchange id'),
  accessKeyEnv: envName,
  secretKeyEnv: envName,
  channels: z
    .array(z.enum(PRIVATE_TYPES))
    .min(1, 'expected at least one of myOrder, myAsset')
    .default([...PRIVATE_TYPES]),
  /** myOrder markets; absent = every market of the account */
  symbols: z.array(z.string().refine(isSymbol, { message: 'expected a unified symbol BASE/QUOTE in upper case' })).min(1).optional(),
  /** private WebSocket URL; absent = derived from the exchange's `url` (plugins/<id>/PRIVATE.md) */
  url: z
    .string()
    .refine((u) => u.startsWith('ws://') || u.startsWith('wss://'), { message: 'expected a URL starting with ws:// or wss://' })
    .optional(),
});

export const privateSchema = z
  .strictObject({
    accounts: z.array(accountSchema).default([]),
    /** cluster mode: the environment variable holding the AES-256-GCM key that seals private records on the bus */
    sealKeyEnv: envName.default('GATEWAY_PRIVATE_KEY'),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.accounts.forEach((a, i) => {
      if (seen.has(a.id)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `duplicate account id "${a.id}"` });
      seen.add(a.id);
    });
  });

export type PrivateConfig = z.infer<typeof privateSchema>;
export type PrivateAccountEntry = PrivateConfig['accounts'][number];
