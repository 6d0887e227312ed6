// Runs the contract suite (sdk/testing/contract.ts) for every plugin folder: a new plugins/<id>/ is picked up as is.

import { listPluginIds } from '../../plugins/registry.ts';
import { runPluginContract } from '../../sdk/testing/contract.ts';

for (const id of listPluginIds()) runPluginContract({ id });
