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

/** Decodes a text value's raw bytes in the data set's declared character set(s). */
export function decodeText(bytes: Uint8Array, specificCharacterSet: string | undefined): string {
  const terms = (specificCharacterSet ?? '').split('\\').map(normaliseTerm);
  const usesEscapes = bytes.includes(0x1b);
  const japanese = terms.some((term) => term === 'ISO_2022_IR_87' || term === 'ISO_2022_IR_159');
  const korean = terms.includes('ISO_2022_IR_149');
  let encoding = encodings[terms.find((term) => term !== '' && encodings[term]) ?? terms[0] ?? ''] ?? 'windows-1252';
  if (usesEscapes && japanese) encoding = 'iso-2022-jp';
  else if (korean) return decodeIso2022Korean(bytes);
  else if (terms.length > 1 && usesEscapes) encoding = encodings[terms[1]!] ?? encoding;
  return new TextDecoder(encoding).decode(bytes).replace(/[\0 ]+$/, '');
}

// ISO 2022 IR 149: ESC $ ) C designates KS X 1001 into G1, after which bytes with the high bit set are EUC-KR.
function decodeIso2022Korean(bytes: Uint8Array): string {
  const kept: number[] = [];
  for (let index = 0; index < bytes.length; index++) {
    if (bytes[index] === 0x1b && bytes[index + 1] === 0x24 && bytes[index + 2] === 0x29 && bytes[index + 3] === 0x43) {
      index += 3;
      continue;
    }
    kept.push(bytes[index]!);
  }
  return new TextDecoder('euc-kr').decode(Uint8Array.from(kept)).replace(/[\0 ]+$/, '');
}
