import type { FastifySerializerCompiler } from 'fastify';
import { serializerFor, zodSchemaOf } from '../lib/json-serializer.ts';

/** Every route's responses, serialised from their declared schemas (lib/json-serializer.ts). */
export const compiledSerializer: FastifySerializerCompiler<unknown> = ({ schema }) =>
  serializerFor(zodSchemaOf(schema));
