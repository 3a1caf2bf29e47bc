import { ParseErrorCode, visit } from "jsonc-parser";

/**
 * The text of a JSON configuration file, parsed strictly (no comments, no trailing commas), with
 * every problem located as `file:line:column` (1-based, as editors and compilers print them):
 * each syntax error (jsonc-parser, the parser VS Code uses, recovers and reports them all) and
 * each key given twice in one object (JSON.parse would silently keep the last). A UTF-8 byte
 * order mark, which some editors write, is skipped.
 */
export function parseJsonText(
  text: string,
  file: string,
): { value: unknown; problems: [] } | { value?: undefined; problems: string[] } {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const problems: string[] = [];
  const at = (line: number, character: number) => `${file}:${line + 1}:${character + 1}`;
  const keys: Set<string>[] = [];
  const errorOffsets = new Set<number>();
  visit(
    body,
    {
      onObjectBegin: () => {
        keys.push(new Set());
      },
      onObjectEnd: () => {
        keys.pop();
      },
      onObjectProperty: (property, _offset, _length, line, character) => {
        const seen = keys[keys.length - 1];
        if (seen?.has(property))
          problems.push(
            `${at(line, character)}: the key ${JSON.stringify(property)} appears twice in this object (JSON would keep only the last)`,
          );
        seen?.add(property);
      },
      onError: (code, offset, _length, line, character) => {
        // The parser may report several errors at one place as it recovers: the first says it.
        if (errorOffsets.has(offset)) return;
        errorOffsets.add(offset);
        problems.push(`${at(line, character)}: JSON syntax error: ${SYNTAX_ERRORS[code] ?? code}`);
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (problems.length > 0) return { problems };
  try {
    return { value: JSON.parse(body), problems: [] };
  } catch (e) {
    // Only if the two parsers ever disagree; jsonc-parser refuses everything JSON.parse does.
    return { problems: [`${file}: JSON syntax error: ${(e as Error).message}`] };
  }
}

const SYNTAX_ERRORS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: "unexpected character",
  [ParseErrorCode.InvalidNumberFormat]: "not a JSON number",
  [ParseErrorCode.PropertyNameExpected]:
    'expected a key in double quotes (or a trailing comma before "}")',
  [ParseErrorCode.ValueExpected]: "expected a value",
  [ParseErrorCode.ColonExpected]: 'expected ":"',
  [ParseErrorCode.CommaExpected]: "expected a comma",
  [ParseErrorCode.CloseBraceExpected]: 'expected "}"',
  [ParseErrorCode.CloseBracketExpected]: 'expected "]"',
  [ParseErrorCode.EndOfFileExpected]: "expected the end of the file after the value",
  [ParseErrorCode.InvalidCommentToken]: "comments are not allowed in JSON",
  [ParseErrorCode.UnexpectedEndOfComment]: "unterminated comment",
  [ParseErrorCode.UnexpectedEndOfString]: "unterminated string",
  [ParseErrorCode.UnexpectedEndOfNumber]: "unterminated number",
  [ParseErrorCode.InvalidUnicode]: "invalid \\u escape",
  [ParseErrorCode.InvalidEscapeCharacter]: "invalid escape character",
  [ParseErrorCode.InvalidCharacter]: "invalid character in a string",
};
