// Test venue "qc" for derived-stage tests (test/support/quotes-plugin.ts).
import { quotesPlugin } from '../../quotes-plugin.ts';

export default quotesPlugin('qc');
