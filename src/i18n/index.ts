// Bilingual messages (English and Korean): the language comes from --lang, else LOCALTUNE_LANG, else the locale.
export type Lang = "en" | "ko";

/** A message in both languages. Modules keep their own message tables of this shape. */
export interface Bilingual {
  en: string;
  ko: string;
}

let currentLang: Lang | undefined;

/** Language from the environment: LOCALTUNE_LANG, then LC_ALL / LC_MESSAGES / LANG, then the Intl locale. */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const explicit = env.LOCALTUNE_LANG;
  if (explicit === "ko" || explicit === "en") return explicit;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || Intl.DateTimeFormat().resolvedOptions().locale;
  return /^ko\b|^ko[_-]/i.test(locale ?? "") ? "ko" : "en";
}

export function setLang(lang: Lang): void {
  currentLang = lang;
}

export function getLang(): Lang {
  return (currentLang ??= detectLang());
}

/** Picks the message in the current (or given) language and fills `{name}` placeholders. */
export function msg(text: Bilingual, params: Record<string, string | number> = {}, lang: Lang = getLang()): string {
  return text[lang].replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}
