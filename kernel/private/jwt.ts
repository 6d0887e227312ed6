// The SDK's JWT helpers (sdk/jwt.ts) under their former path, for the simulators and tests that verify tokens;
// plugins sign through the SDK.
export { peekJwt, signJwt, verifyJwt } from '../../sdk/jwt.ts';
export type { HmacAlg, JwtCheck } from '../../sdk/jwt.ts';
