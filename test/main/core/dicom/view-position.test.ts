import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { readViewPosition } from '../../../../main/core/dicom/view-position.js';
import { element, part10, text } from '../../../support/dicom-elements.js';

/** A sequence of one item holding `body` (explicit lengths). */
function sequence(group: number, elementNumber: number, body: Buffer): Buffer {
  const item = Buffer.alloc(8);
  item.writeUInt16LE(0xfffe, 0);
  item.writeUInt16LE(0xe000, 2);
  item.writeUInt32LE(body.length, 4);
  return element(group, elementNumber, 'SQ', Buffer.concat([item, body]));
}

function parse(...elements: Buffer[]) {
  return dicomParser.parseDicom(new Uint8Array(part10('1.2.840.10008.1.2.1', Buffer.concat(elements))));
}

describe("a radiograph's view", () => {
  it('is its ViewPosition where the file has one', () => {
    expect(readViewPosition(parse(element(0x0018, 0x5101, 'CS', text('pa '))), 'DX')).toBe('PA');
  });

  it("is read from the View Code Sequence's meaning where ViewPosition is missing", () => {
    const code = (meaning: string) =>
      parse(
        sequence(
          0x0054,
          0x0220,
          Buffer.concat([
            element(0x0008, 0x0100, 'SH', text('399173006')),
            element(0x0008, 0x0104, 'LO', text(meaning)),
          ]),
        ),
      );
    expect(readViewPosition(code('left lateral'), 'DX')).toBe('LL');
    expect(readViewPosition(code('postero-anterior'), 'DX')).toBe('PA');
    expect(readViewPosition(code('antero-posterior'), 'CR')).toBe('AP');
  });

  it("is guessed from a radiograph's series name, never for other modalities, and null when nothing says", () => {
    expect(readViewPosition(parse(element(0x0008, 0x103e, 'LO', text('CHEST LAT'))), 'CR')).toBe('LL');
    expect(readViewPosition(parse(element(0x0008, 0x103e, 'LO', text('PA ERECT'))), 'DX')).toBe('PA');
    expect(readViewPosition(parse(element(0x0008, 0x103e, 'LO', text('AXIAL LAT RECON'))), 'CT')).toBeNull();
    expect(readViewPosition(parse(element(0x0008, 0x103e, 'LO', text('CHEST'))), 'DX')).toBeNull();
  });
});
