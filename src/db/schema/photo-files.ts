// The shapes stored in a photo's JSON columns, shared by both backends' schemas.

/** One rendition readers get: a width in a format, whole or cropped to a named ratio. */
export interface PhotoVariant {
  key: string;
  url: string;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff';
  bytes: number;
  /** The named crop (`16:9`, `1:1`, `4:5`, `3:2`), or absent for the whole picture. */
  crop?: string;
}

/** What an uploaded file said about itself, each value bounded and stripped of control characters. */
export interface PhotoFileMetadata {
  byline: string | null;
  credit: string | null;
  source: string | null;
  copyrightNotice: string | null;
  caption: string | null;
  headline: string | null;
  dateCreated: string | null;
  camera: string | null;
  /** Where the picture was taken, if the camera recorded it: never in a served variant. */
  location: { latitude: number; longitude: number } | null;
}
