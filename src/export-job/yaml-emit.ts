// YAML for Python trainers. Axolotl and LLaMA-Factory read their configs with PyYAML (YAML 1.1), which takes "1e-8"
// as a string, not a float: numbers are written with a decimal point and a signed exponent ("1.0e-08" style), and
// every string is double-quoted (JSON string syntax is valid YAML), so no value changes type on the way.

type Value = string | number | boolean | null | readonly Value[] | { readonly [key: string]: Value };

/** A number in a form PyYAML and YAML 1.2 parsers both read as the same int or float. */
export function yamlNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} to a trainer config`);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const [mantissa, exponent] = String(x).split("e");
  const m = mantissa!.includes(".") ? mantissa! : `${mantissa}.0`;
  if (exponent === undefined) return m;
  return `${m}e${exponent.startsWith("-") || exponent.startsWith("+") ? exponent : `+${exponent}`}`;
}

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return yamlNumber(value);
  return JSON.stringify(value);
}

const isScalar = (v: Value): v is string | number | boolean | null => v === null || typeof v !== "object";

function emit(value: Value, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value as readonly Value[]) {
      if (isScalar(item)) lines.push(`${indent}- ${scalar(item)}`);
      else {
        // A map in a list: its first key on the dash line, the rest aligned under it.
        const sub: string[] = [];
        emit(item, `${indent}  `, sub);
        lines.push(`${indent}- ${sub[0]!.trimStart()}`, ...sub.slice(1));
      }
    }
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, Value>)) {
    const k = /^[A-Za-z_][\w.-]*$/.test(key) ? key : JSON.stringify(key);
    if (isScalar(v)) lines.push(`${indent}${k}: ${scalar(v)}`);
    else if (Array.isArray(v) && v.length === 0) lines.push(`${indent}${k}: []`);
    else if (!Array.isArray(v) && Object.keys(v).length === 0) lines.push(`${indent}${k}: {}`);
    else {
      lines.push(`${indent}${k}:`);
      emit(v, `${indent}  `, lines);
    }
  }
}

/** The YAML text of a config object (maps, lists, strings, numbers, booleans, null). */
export function toYaml(config: Record<string, unknown>): string {
  const lines: string[] = [];
  emit(config as Value, "", lines);
  return lines.join("\n") + "\n";
}
