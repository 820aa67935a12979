import * as z from 'zod/mini';

/**
 * The contract's schemas, compiled for the server. zod/mini checks objects with a small interpreter, which is right
 * for the browser bundle; the server validates every upstream answer (a 100-user page is 100 objects) and zod's
 * JIT object (what full zod builds for `z.object`) does the same checks about three to four times faster. Same
 * definitions, same shapes, same refinements, same results: only how they run differs (see compiled-schemas.test).
 */
export function compiled<T extends z.core.$ZodType>(schema: T): T {
  const result = compile(schema);
  // Built from the very definition of `schema`, so its input and output types are those of `schema`.
  return result as T;
}

function compile(schema: z.core.$ZodType): z.core.$ZodType {
  if (schema instanceof z.core.$ZodObject) {
    const def = schema._zod.def;
    const shape = Object.fromEntries(Object.entries(def.shape).map(([key, field]) => [key, compile(field)]));
    return new z.core.$ZodObjectJIT({ ...def, shape });
  }
  if (schema instanceof z.core.$ZodArray) {
    const def = schema._zod.def;
    return new z.ZodMiniArray({ ...def, element: compile(def.element) });
  }
  if (schema instanceof z.core.$ZodOptional) {
    const def = schema._zod.def;
    return new z.ZodMiniOptional({ ...def, innerType: compile(def.innerType) });
  }
  if (schema instanceof z.core.$ZodNullable) {
    const def = schema._zod.def;
    return new z.ZodMiniNullable({ ...def, innerType: compile(def.innerType) });
  }
  // Strings, enums, booleans...: nothing to gain.
  return schema;
}
