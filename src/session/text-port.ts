import {
  createStreamDecoder,
  decodeText,
  encodeText,
  resolveEncoding,
  type StreamTextDecoder,
} from '../codec/text.js';

/**
 * The session's one door to text encodings (backed by the codec module): a named encoding's
 * decoder, encoder and stateful stream decoder, checked once when the name is given.
 */

export type StreamDecoder = StreamTextDecoder;

export interface TextCodec {
  /** The name as the user gave it, lower-cased (utf8, gbk, shift_jis...). */
  readonly name: string;
  decode(bytes: Uint8Array): string;
  encode(text: string): Buffer;
  streamDecoder(): StreamDecoder;
}

const cache = new Map<string, TextCodec>();

export function textCodec(name: string): TextCodec {
  const key = name.trim().toLowerCase();
  let codec = cache.get(key);
  if (codec) return codec;
  resolveEncoding(key);
  codec = {
    name: key,
    decode: (bytes) => decodeText(bytes, key),
    encode: (text) => encodeText(text, key),
    streamDecoder: () => createStreamDecoder(key),
  };
  cache.set(key, codec);
  return codec;
}
