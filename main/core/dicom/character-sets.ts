// DICOM Specific Character Set (0008,0005) terms to WHATWG encodings. Values in other sets than the default repertoire
// are decoded here; ISO 2022 escape-sequence sets are handed to the matching stateful decoder.
const encodings: Record<string, string> = {
  '': 'windows-1252',
  ISO_IR_6: 'windows-1252',
  ISO_IR_100: 'windows-1252',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_13: 'shift_jis',
  ISO_IR_166: 'windows-874',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
  ISO_2022_IR_6: 'windows-1252',
  ISO_2022_IR_100: 'windows-1252',
  ISO_2022_IR_101: 'iso-8859-2',
  ISO_2022_IR_144: 'iso-8859-5',
  ISO_2022_IR_127: 'iso-8859-6',
  ISO_2022_IR_126: 'iso-8859-7',
  ISO_2022_IR_138: 'iso-8859-8',
  ISO_2022_IR_148: 'iso-8859-9',
  ISO_2022_IR_13: 'shift_jis',
  ISO_2022_IR_87: 'iso-2022-jp',
  ISO_2022_IR_159: 'iso-2022-jp',
  ISO_2022_IR_149: 'euc-kr',
  ISO_2022_IR_58: 'gb18030',
};

function normaliseTerm(term: string): string {
  return term.trim().toUpperCase().replaceAll(' ', '_').replaceAll('-', '_');
}

// ISO 2022 escape sequences used by DICOM (PS3.3 C.12.1.1.2): what they designate, and into which code element.
const escapeSequences: Array<{ bytes: number[]; element: 'G0' | 'G1'; encoding: string }> = [
  { bytes: [0x28, 0x42], element: 'G0', encoding: 'ascii' },
  { bytes: [0x28, 0x4a], element: 'G0', encoding: 'ascii' },
  { bytes: [0x24, 0x42], element: 'G0', encoding: 'jis-x-0208' },
  { bytes: [0x24, 0x28, 0x44], element: 'G0', encoding: 'jis-x-0212' },
  { bytes: [0x29, 0x49], element: 'G1', encoding: 'shift_jis' },
  { bytes: [0x24, 0x29, 0x43], element: 'G1', encoding: 'euc-kr' },
  { bytes: [0x24, 0x29, 0x41], element: 'G1', encoding: 'gb18030' },
  { bytes: [0x2d, 0x41], element: 'G1', encoding: 'windows-1252' },
  { bytes: [0x2d, 0x42], element: 'G1', encoding: 'iso-8859-2' },
  { bytes: [0x2d, 0x46], element: 'G1', encoding: 'iso-8859-7' },
  { bytes: [0x2d, 0x47], element: 'G1', encoding: 'iso-8859-6' },
  { bytes: [0x2d, 0x48], element: 'G1', encoding: 'iso-8859-8' },
  { bytes: [0x2d, 0x4c], element: 'G1', encoding: 'iso-8859-5' },
  { bytes: [0x2d, 0x4d], element: 'G1', encoding: 'iso-8859-9' },
];

function decodeRun(bytes: number[], g0: string, g1: string): string {
  if (bytes.length === 0) return '';
  if (g0 === 'jis-x-0208' || g0 === 'jis-x-0212') {
    // Two-byte JIS in 7-bit form: let the ISO-2022-JP decoder read it between its own escapes.
    return new TextDecoder('iso-2022-jp').decode(Uint8Array.from([0x1b, 0x24, 0x42, ...bytes, 0x1b, 0x28, 0x42]));
  }
  let text = '';
  let index = 0;
  while (index < bytes.length) {
    const high = bytes[index]! >= 0x80;
    let end = index;
    while (end < bytes.length && bytes[end]! >= 0x80 === high) end++;
    const slice = Uint8Array.from(bytes.slice(index, end));
    text += high ? new TextDecoder(g1).decode(slice) : new TextDecoder('windows-1252').decode(slice);
    index = end;
  }
  return text;
}

/** Values that switch character sets by ISO 2022 escapes: decode run by run with the designated G0/G1 sets. */
function decodeIso2022(bytes: Uint8Array, initialG1: string): string {
  let g0 = 'ascii';
  let g1 = initialG1;
  let run: number[] = [];
  let text = '';
  for (let index = 0; index < bytes.length; index++) {
    if (bytes[index] !== 0x1b) {
      run.push(bytes[index]!);
      continue;
    }
    const sequence = escapeSequences.find((candidate) =>
      candidate.bytes.every((byte, offset) => bytes[index + 1 + offset] === byte),
    );
    if (!sequence) {
      run.push(bytes[index]!);
      continue;
    }
    text += decodeRun(run, g0, g1);
    run = [];
    if (sequence.element === 'G0') g0 = sequence.encoding;
    else g1 = sequence.encoding;
    index += sequence.bytes.length;
  }
  return text + decodeRun(run, g0, g1);
}

/** Decodes a text value's raw bytes in the data set's declared character set(s). */
export function decodeText(bytes: Uint8Array, specificCharacterSet: string | undefined): string {
  const terms = (specificCharacterSet ?? '').split('\\').map(normaliseTerm);
  const first = encodings[terms[0] ?? ''] ?? encodings[terms.find((term) => encodings[term]) ?? ''] ?? 'windows-1252';
  const text = terms.some((term) => term.startsWith('ISO_2022'))
    ? decodeIso2022(bytes, first === 'iso-2022-jp' ? 'shift_jis' : first)
    : new TextDecoder(first).decode(bytes);
  return text.replace(/[\0 ]+$/, '');
}
