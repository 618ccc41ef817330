// dcmjs ships no types; only what is used is declared: the writer (demo generator) and the data dictionary (tag panel).
declare module 'dcmjs' {
  interface DicomDictInstance {
    dict: Record<string, unknown>;
    write(options?: { fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        /** The DICOM data dictionary, keyed "(GGGG,EEEE)". */
        dictionary: Record<string, { tag: string; vr: string; vm: string; name: string } | undefined>;
      };
    };
  };
  export default dcmjs;
}
