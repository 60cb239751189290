// Help in the chosen language (--lang, LOCALTUNE_LANG, the locale). Help texts are written once with both languages,
// "English / 한국어" on one line or English and Korean on separate lines; this shows the half for the language in
// use, so `localtune --help` reads in one language, not both.
import type { Command, Help } from "commander";
import { getLang, type Lang } from "../i18n/index.js";

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

/** The half of a bilingual help text for `lang`; text without a Korean half is returned as it is. */
export function helpInLanguage(text: string, lang: Lang): string {
  // Korean on lines of its own: "English sentence.\n한국어 문장."
  const lines = text.split("\n");
  if (lines.length > 1 && lines.some((l) => HANGUL.test(l)) && lines.some((l) => l.trim() !== "" && !HANGUL.test(l))) {
    const picked = lines.filter((l) => (lang === "ko" ? HANGUL.test(l) : !HANGUL.test(l)));
    return picked.join("\n");
  }
  // "English / 한국어" (the last " / " whose right side is Korean).
  const at = text.lastIndexOf(" / ");
  if (at > 0 && HANGUL.test(text.slice(at + 3)) && !HANGUL.test(text.slice(0, at))) {
    return lang === "ko" ? text.slice(at + 3) : text.slice(0, at);
  }
  return text;
}

/** Applies helpInLanguage to every command's and option's description, for this command and all below it. */
export function localizeHelp(command: Command): void {
  command.configureHelp({
    commandDescription: (cmd: Command) => helpInLanguage(cmd.description(), getLang()),
    subcommandDescription: (cmd: Command) => helpInLanguage(cmd.summary() || cmd.description(), getLang()),
    optionDescription(this: Help, option) {
      const base = Object.getPrototypeOf(this) as Help;
      return base.optionDescription.call(this, Object.assign(Object.create(Object.getPrototypeOf(option) as object), option, { description: helpInLanguage(option.description ?? "", getLang()) }));
    },
  } as Partial<Help>);
  for (const sub of command.commands) localizeHelp(sub);
}
