import dcmjs from 'dcmjs';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** A minimal Basic Text SR for a study, written with dcmjs: a FINDINGS and an IMPRESSION text item. */
export function structuredReportFile(studyInstanceUid: string, findings: string, impression: string): Uint8Array {
  const sopInstanceUid = `2.25.${BigInt(`0x${Buffer.from(studyInstanceUid).toString('hex').slice(0, 30)}`)}`;
  const textItem = (meaning: string, text: string) => ({
    RelationshipType: 'CONTAINS',
    ValueType: 'TEXT',
    ConceptNameCodeSequence: [
      { CodeValue: meaning.toUpperCase(), CodingSchemeDesignator: '99TEST', CodeMeaning: meaning },
    ],
    TextValue: text,
  });
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.11',
    SOPInstanceUID: sopInstanceUid,
    Modality: 'SR',
    StudyInstanceUID: studyInstanceUid,
    SeriesInstanceUID: `${sopInstanceUid}1`,
    PatientID: 'SR-PATIENT',
    ValueType: 'CONTAINER',
    ContinuityOfContent: 'SEPARATE',
    ConceptNameCodeSequence: [
      { CodeValue: 'REPORT', CodingSchemeDesignator: '99TEST', CodeMeaning: 'Radiology Report' },
    ],
    ContentSequence: [textItem('Findings', findings), textItem('Impression', impression)],
  };
  const file = new DicomDict(
    DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: dataset.SOPClassUID,
      MediaStorageSOPInstanceUID: sopInstanceUid,
      TransferSyntaxUID: '1.2.840.10008.1.2.1',
      ImplementationClassUID: '2.25.1',
    }),
  );
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}
