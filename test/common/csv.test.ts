import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvText } from '../../common/csv.js';
import { predictionsCsv } from '../../common/predictions-csv.js';

const awkward = [
  ['plain', 'a, comma', 'a "quote"'],
  ['line\nbreak', 'carriage\rreturn', 'windows\r\nline'],
  ['semi;colon', '', 'ümlaut 日本'],
];

describe('csvText', () => {
  it.each([
    { delimiter: ',', lineBreak: '\n' as const },
    { delimiter: ',', lineBreak: '\r\n' as const },
    { delimiter: ';', lineBreak: '\n' as const },
    { delimiter: '\t', lineBreak: '\r\n' as const },
  ])('reads back cell for cell with csv-parse (delimiter %j)', ({ delimiter, lineBreak }) => {
    const text = csvText(['first', 'second', 'third'], awkward, { delimiter, lineBreak });
    expect(text.endsWith(lineBreak)).toBe(true);
    expect(parse(text, { delimiter, record_delimiter: lineBreak })).toEqual([['first', 'second', 'third'], ...awkward]);
  });

  it('writes null as an empty cell and numbers as they print', () => {
    expect(csvText(['a', 'b', 'c'], [[null, 3, 0.5]])).toBe('a,b,c\n,3,0.5\n');
  });
});

describe('predictionsCsv', () => {
  it('writes identifiers, pseudonym, score to six places, class (empty when none) and split, in that order', () => {
    const row = {
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.4',
      sopInstanceUid: '1.2.3.4.5',
      patientPseudonym: 'P-1f2e',
      score: 0.98765432,
      predictedClass: null,
      split: 'test',
    };
    expect(predictionsCsv([row, { ...row, predictedClass: 'effusion, left' }])).toBe(
      'study_instance_uid,series_instance_uid,sop_instance_uid,patient_pseudonym,score,predicted_class,split\n' +
        '1.2.3,1.2.3.4,1.2.3.4.5,P-1f2e,0.987654,,test\n' +
        '1.2.3,1.2.3.4,1.2.3.4.5,P-1f2e,0.987654,"effusion, left",test\n',
    );
  });
});
