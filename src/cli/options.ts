// Parsers for the flags that no API schema declares (generation's sampling flags, --threads, --ctx of the model
// host): each rejects a bad value with a message naming the option and the value. Flags of an API options schema
// are parsed by the schema itself (./schema-options.ts).
import { InvalidConfigError } from "../errors.js";

/** Parser for a positive integer option (commander calls it with the raw string). */
export function positiveInt(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidConfigError({
        en: `${option} expects a positive integer, got "${value}".`,
        ko: `${option}에는 양의 정수가 필요하지만 "${value}"이(가) 주어졌습니다.`,
      });
    }
    return n;
  };
}

/** Parser for a finite number option. */
export function finiteNumber(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) {
      throw new InvalidConfigError({ en: `${option} expects a number, got "${value}".`, ko: `${option}에는 숫자가 필요하지만 "${value}"이(가) 주어졌습니다.` });
    }
    return n;
  };
}
