// Help in the chosen language (--lang, LOCALTUNE_LANG, the locale). Help texts are written once with both languages,
// "English / 한국어" on one line or English and Korean on separate lines; this shows the half for the language in
// use, so `localtune --help` reads in one language, not both.
import { Option, type Command, type Help } from "commander";
import { getLang, type Bilingual, type Lang } from "../i18n/index.js";

/** An option whose help is given in both languages apart, so no " / " inside either half can split it wrongly. Its
 *  description is "English / 한국어" where no language is picked (a command's helpInformation() in tests). */
export class BilingualOption extends Option {
  constructor(
    flags: string,
    readonly help: Bilingual,
  ) {
    super(flags, help.en === help.ko ? help.en : `${help.en} / ${help.ko}`);
  }
}

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

/** Applies helpInLanguage to every command's, option's and argument's description, for this command and all below it. */
export function localizeHelp(command: Command): void {
  command.configureHelp({
    commandDescription: (cmd: Command) => helpInLanguage(cmd.description(), getLang()),
    subcommandDescription: (cmd: Command) => helpInLanguage(cmd.summary() || cmd.description(), getLang()),
    optionDescription(this: Help, option) {
      const base = Object.getPrototypeOf(this) as Help;
      const description = option instanceof BilingualOption ? option.help[getLang()] : helpInLanguage(option.description ?? "", getLang());
      return base.optionDescription.call(this, Object.assign(Object.create(Object.getPrototypeOf(option) as object), option, { description }));
    },
    argumentDescription(this: Help, argument) {
      const base = Object.getPrototypeOf(this) as Help;
      const description = helpInLanguage(argument.description ?? "", getLang());
      return base.argumentDescription.call(this, Object.assign(Object.create(Object.getPrototypeOf(argument) as object), argument, { description }));
    },
  } as Partial<Help>);
  for (const sub of command.commands) localizeHelp(sub);
}
