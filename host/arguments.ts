// Argument checks of the public API, and the one Node error code for each
// kind of mistake (Node's own convention):
//   the wrong type                      ERR_INVALID_ARG_TYPE   (TypeError)
//   a number outside the allowed range  ERR_OUT_OF_RANGE       (RangeError)
//   the right type, an unusable value   ERR_INVALID_ARG_VALUE  (TypeError)
// An invalid address has errors of its own (UnixsockAddressError, errors.ts).

/** The value's type for messages, as Node words it. */
function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an instance of Array';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'function') return 'function';
  return `type ${typeof value} (${String(value).slice(0, 40)})`;
}

/** Node's ERR_INVALID_ARG_TYPE. */
export function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  const err = new TypeError(`The "${name}" argument must be ${expected}. Received ${describeType(value)}`);
  return Object.assign(err, { code: 'ERR_INVALID_ARG_TYPE' });
}

/** Node's ERR_OUT_OF_RANGE: a number outside what the argument allows. */
export function outOfRange(name: string, range: string, value: number): RangeError {
  const err = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${value}`);
  return Object.assign(err, { code: 'ERR_OUT_OF_RANGE' });
}

/** `value` when it is an integer from `min` to `max`: not a number is ERR_INVALID_ARG_TYPE, any other number ERR_OUT_OF_RANGE. */
export function integerArgument(value: unknown, name: string, max: number, min = 0): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(name, `an integer >= ${min} and <= ${max}`, value);
  return value;
}

/** `value` when it is a finite number >= 0 (a duration): ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE otherwise. */
export function durationArgument(value: unknown, name: string): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isFinite(value) || value < 0) throw outOfRange(name, 'a finite number >= 0', value);
  return value;
}

/** A descriptor number: an integer from 0 to 2^31 - 1. */
export function isDescriptorNumber(fd: unknown): fd is number {
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff;
}

/** A descriptor argument: an integer from 0 to 2^31 - 1 (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE). */
export function descriptorArgument(name: string, fd: unknown): number {
  if (typeof fd !== 'number') throw invalidArgType(name, 'a descriptor number', fd);
  return integerArgument(fd, name, 0x7fffffff);
}

/** Node's ERR_INVALID_ARG_VALUE for an argument that is not an address. */
export function invalidArgValue(name: string, message: string): TypeError {
  const err = new TypeError(`The argument '${name}' ${message}`);
  return Object.assign(err, { code: 'ERR_INVALID_ARG_VALUE' });
}

/** An options argument: `{}` when undefined, else it must be an object (ERR_INVALID_ARG_TYPE). */
export function optionsArgument<T extends object>(options: T | undefined, name = 'options'): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) throw invalidArgType(name, 'an object', options);
  return options;
}

/** `options[key]` when it is a boolean or undefined (ERR_INVALID_ARG_TYPE otherwise). */
export function booleanOption(options: object, key: string): boolean | undefined {
  const value = (options as Record<string, unknown>)[key];
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgType(`options.${key}`, 'of type boolean', value);
  return value as boolean | undefined;
}

/** The bytes of a message argument: Buffer/TypedArray/DataView/string (UTF-8) or an array of them. */
export function bytesOf(data: unknown, name = 'data'): Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (ArrayBuffer.isView(data)) return [new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
  if (Array.isArray(data)) return data.flatMap((d, i) => bytesOf(d, `${name}[${i}]`));
  throw invalidArgType(name, 'a string, Buffer, TypedArray, DataView or an array of them', data);
}

/** One message's bytes as bytesOf() reads them, without copying or wrapping a lone Uint8Array (Buffer). */
export function messageBytes(data: unknown): Uint8Array | Uint8Array[] {
  if (data instanceof Uint8Array) return data;
  const bufs = bytesOf(data);
  return bufs.length === 1 ? bufs[0]! : bufs;
}
