// The simulated venues' market universe: the one list of base assets every simulator lists from (majors first, then
// a long tail), a venue's universe built from it (which quotes, how many bases each), and the run-time listing
// state (list, delist, has, the list in order, when each market was listed).

/**
 * Base assets, roughly by market size: the first few dozen are the majors every venue lists, then a long tail.
 * No name here is one the gateway's ASSET_ALIASES maps (XBT, XDG): venues that write old names translate on their
 * own REST answer.
 */
export const BASE_ASSETS: readonly string[] = (
  'BTC ETH XRP SOL BNB DOGE ADA TRX LINK DOT AVAX LTC BCH TON SHIB XLM SUI NEAR APT UNI ' +
  'ICP ETC FIL ATOM ARB OP INJ HBAR VET MKR AAVE GRT RENDER IMX STX SEI TIA LDO ALGO XMR ' +
  'SAND MANA AXS THETA EGLD XTZ EOS FLOW CHZ KAVA ROSE MINA QNT ZIL ENJ BAT ONE CRV SNX COMP ' +
  'YFI SUSHI 1INCH ZRX LRC KSM DYDX GMX BLUR PEPE FLOKI BONK WIF JUP PYTH ORDI WLD ARKM ENA ' +
  'ETHFI ONDO STRK MNT PENDLE JTO ZETA MANTA ALT DYM PORTAL PIXEL AEVO BOME ETHW GALA APE CAKE ' +
  'CELO CORE FET OCEAN GLMR MOVR ASTR KDA CSPR ZEN DASH ZEC XEM IOTA NEO ONT QTUM WAVES ' +
  'ICX RVN SC DGB HOT ANKR CELR SKL STORJ BAND NMR OGN RSR SXP COTI CTSI CHR DENT SUN JST ' +
  'RUNE CFX AR OKB LUNA SATS MEME ENS GMT NOT ZK W TAO KAS AKT OSMO JUNO SCRT MASK RPL SSV ' +
  'LPT API3 AGLD AUDIO BICO OXT POLS POND SPELL SUPER BAL KNC OMG LSK ARDR STEEM HIVE WAXP ' +
  'ACH ALICE ALPHA AMP ANT ARPA ATA BAKE BEL BNT BTT C98 CKB CLV CVC CVX DAR DODO DUSK ELF ' +
  'FIDA FLUX FORTH FXS GAL GHST GTC HFT HIGH HOOK ID IDEX ILV IOST IOTX JASMY JOE KEY KLAY ' +
  'LEVER LINA LIT LOKA LQTY MAGIC MAV MBOX MDT MTL NKN NTRN OM ORN PEOPLE PERP PHA PROM PUNDIX ' +
  'QI QKC RAD RARE RDNT REEF REQ RIF RLC RONIN SFP SLP SNT STG STMX STPT SYN SYS T TLM TRB ' +
  'TRU TWT UMA UNFI USTC UTK VANRY VIDT VOXEL VTHO WIN WOO XAI XVG XVS YGG BEAM BLZ CYBER'
)
  .split(' ')
  .filter((b, i, all) => all.indexOf(b) === i);

/** Base assets of the Korean (KRW) venues: majors and the coins popular there, a few dozen. */
export const KRW_BASE_ASSETS: readonly string[] = (
  'BTC ETH XRP SOL DOGE ADA TRX LINK DOT AVAX BCH SHIB XLM SUI NEAR APT ETC ATOM ARB ' +
  'HBAR AAVE SEI STX ALGO SAND MANA AXS EOS CHZ ENJ BAT ZRX ONDO PEPE BONK ICX ONT QTUM ' +
  'WAVES STEEM HIVE GAS NEO BTG ARDR LSK ZIL IOST MED META SNT BORA MLK'
).split(' ');

export interface MarketRef {
  base: string;
  quote: string;
}

/** a venue's universe: each quote with how many of `bases` (from the front) it lists */
export interface UniverseSpec {
  quotes: readonly (readonly [quote: string, count: number])[];
  /** default BASE_ASSETS */
  bases?: readonly string[];
  /** markets listed on top (e.g. USDC/USDT) */
  extra?: readonly string[];
}

/** The markets of a venue's universe, in list order (by quote, then by base size); a base equal to its quote is skipped. */
export function buildUniverse(spec: UniverseSpec): MarketRef[] {
  const bases = spec.bases ?? BASE_ASSETS;
  const out: MarketRef[] = [];
  for (const [quote, count] of spec.quotes) {
    for (const base of bases.slice(0, count)) if (base !== quote) out.push({ base, quote });
  }
  for (const s of spec.extra ?? []) out.push(splitSymbol(s));
  return out;
}

/** `BASE/QUOTE` (any case) into its assets, upper case; throws SIM_BAD_SYMBOL for anything else. */
export function splitSymbol(symbol: string): MarketRef {
  const m = /^([A-Za-z0-9]{1,20})\/([A-Za-z0-9]{1,20})$/.exec(symbol);
  if (!m) throw Object.assign(new Error(`not a BASE/QUOTE symbol: ${symbol}`), { code: 'SIM_BAD_SYMBOL' });
  return { base: m[1]!.toUpperCase(), quote: m[2]!.toUpperCase() };
}

export interface Listed extends MarketRef {
  /** `BASE/QUOTE` */
  symbol: string;
  /** when it was listed (ms); the initial universe gets dates in the past, one day apart, majors oldest */
  listedAtMs: number;
}

const DAY_MS = 86_400_000;

/** The markets a simulated venue lists now, changeable at run time; insertion order is the list's order. */
export class Listing {
  private readonly markets = new Map<string, Listed>();
  /** delisted at run time and not listed again */
  private readonly gone = new Set<string>();

  constructor(initial: readonly MarketRef[], nowMs = Date.now()) {
    initial.forEach((m, i) => this.add(m, nowMs - (initial.length + 400 - i) * DAY_MS));
  }

  private add(m: MarketRef, listedAtMs: number): Listed {
    const symbol = `${m.base}/${m.quote}`;
    const entry = { base: m.base, quote: m.quote, symbol, listedAtMs };
    this.markets.set(symbol, entry);
    return entry;
  }

  /** lists BASE/QUOTE now (moves it to the end of the list); returns the entry */
  list(symbol: string, nowMs = Date.now()): Listed {
    const m = splitSymbol(symbol);
    this.markets.delete(`${m.base}/${m.quote}`);
    this.gone.delete(`${m.base}/${m.quote}`);
    return this.add(m, nowMs);
  }

  /** delists BASE/QUOTE; false when it was not listed */
  delist(symbol: string): boolean {
    const m = splitSymbol(symbol);
    this.gone.add(`${m.base}/${m.quote}`);
    return this.markets.delete(`${m.base}/${m.quote}`);
  }

  /**
   * Whether BASE/QUOTE was delisted at run time (and not listed again): its streams stop. A market that was never in
   * the list is not delisted: the simulators still produce it when subscribed, as load tests ask for made-up names.
   */
  delisted(base: string, quote: string): boolean {
    return this.gone.has(`${base.toUpperCase()}/${quote.toUpperCase()}`);
  }

  has(base: string, quote: string): boolean {
    return this.markets.has(`${base.toUpperCase()}/${quote.toUpperCase()}`);
  }

  get(base: string, quote: string): Listed | undefined {
    return this.markets.get(`${base.toUpperCase()}/${quote.toUpperCase()}`);
  }

  /** the listed markets in list order */
  all(): Listed[] {
    return [...this.markets.values()];
  }

  get size(): number {
    return this.markets.size;
  }
}
