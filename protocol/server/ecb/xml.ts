// A small, strict reader of plain XML documents into an element tree: elements, attributes,
// text, comments, processing instructions and the predefined and numeric character references.
// What it does not read (a DOCTYPE, CDATA sections, unknown entities) it refuses with the line
// and column, so a caller never works on a document it only partly understood. Namespaces are
// not resolved: a name is kept as written ("gesmes:Envelope").

export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own text, its children's left out, references decoded. */
  readonly text: string;
  /** Where its start tag begins in the document; positionOf gives the line and column. */
  readonly offset: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly at: XmlPosition,
  ) {
    super(`line ${at.line}, column ${at.column}: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

/** The line and column of an offset, both counted from 1. Counted only when needed: for an error. */
export function positionOf(xml: string, offset: number): XmlPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = xml.indexOf('\n'); i >= 0 && i < offset; i = xml.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The document's root element; throws XmlSyntaxError for anything that is not well-formed plain XML. */
export function readXmlDocument(xml: string): XmlElement {
  return new XmlReader(xml).document();
}

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const WHITESPACE = /[ \t\r\n]*/y;
const REFERENCE = /&([^;&]*)(;?)/g;
const NUMERIC_REFERENCE = /^#(?:([0-9]{1,7})|x([0-9A-Fa-f]{1,6}))$/;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

interface OpenElement {
  readonly name: string;
  readonly attributes: Map<string, string>;
  readonly children: OpenElement[];
  text: string;
  readonly offset: number;
}

class XmlReader {
  private index = 0;

  constructor(private readonly xml: string) {
    if (xml.startsWith('\uFEFF')) this.index = 1;
  }

  document(): XmlElement {
    let root: OpenElement | null = null;
    const open: OpenElement[] = [];
    while (this.index < this.xml.length) {
      const start = this.index;
      if (this.xml[start] !== '<') {
        const text = this.text();
        const parent = open.at(-1);
        if (parent) parent.text += text;
        else if (text.trim() !== '') throw this.error('text outside the root element', start);
      } else if (this.skip('<?')) {
        this.through('?>', 'a processing instruction', start);
      } else if (this.skip('<!--')) {
        this.through('-->', 'a comment', start);
      } else if (this.xml.startsWith('<!', start)) {
        throw this.error(`${declarationKind(this.xml, start)} is not read here`, start);
      } else if (this.skip('</')) {
        const name = this.name('an end tag');
        this.whitespace();
        this.expect('>', `the end tag </${name}`);
        const element = open.pop();
        if (element === undefined) throw this.error(`</${name}> closes no element`, start);
        if (element.name !== name)
          throw this.error(
            `</${name}> closes <${element.name}> of line ${positionOf(this.xml, element.offset).line}`,
            start,
          );
      } else {
        this.index += 1;
        const element: OpenElement = {
          name: this.name('a start tag'),
          attributes: new Map(),
          children: [],
          text: '',
          offset: start,
        };
        const selfClosing = this.attributesInto(element);
        const parent = open.at(-1);
        if (parent) parent.children.push(element);
        else if (root === null) root = element;
        else throw this.error(`a second root element <${element.name}>`, start);
        if (!selfClosing) open.push(element);
      }
    }
    const unclosed = open.at(-1);
    if (unclosed) throw this.error(`<${unclosed.name}> is never closed`, unclosed.offset);
    if (root === null) throw this.error('no root element', this.index);
    return root;
  }

  /** Reads attributes up to the end of the start tag; true when the tag closes itself ("/>"). */
  private attributesInto(element: OpenElement): boolean {
    for (;;) {
      const spaced = this.whitespace();
      if (this.skip('/>')) return true;
      if (this.skip('>')) return false;
      const start = this.index;
      if (!spaced) throw this.error(`expected whitespace, ">" or "/>" in <${element.name}>`, start);
      const name = this.name(`an attribute of <${element.name}>`);
      this.whitespace();
      this.expect('=', `attribute ${name} of <${element.name}>`);
      this.whitespace();
      const value = this.quoted(`the value of ${name} in <${element.name}>`);
      if (element.attributes.has(name)) throw this.error(`attribute ${name} appears twice in <${element.name}>`, start);
      element.attributes.set(name, value);
    }
  }

  private quoted(what: string): string {
    const start = this.index;
    const quote = this.xml[start];
    if (quote !== '"' && quote !== "'") throw this.error(`${what} is not quoted`, start);
    const end = this.xml.indexOf(quote, start + 1);
    if (end < 0) throw this.error(`${what} is never closed`, start);
    const raw = this.xml.slice(start + 1, end);
    if (raw.includes('<')) throw this.error(`${what} contains "<"`, start);
    this.index = end + 1;
    return this.decode(raw, start + 1);
  }

  private text(): string {
    const start = this.index;
    const end = this.xml.indexOf('<', start);
    this.index = end < 0 ? this.xml.length : end;
    return this.decode(this.xml.slice(start, this.index), start);
  }

  private decode(raw: string, offset: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(REFERENCE, (whole: string, name: string, semicolon: string, at: number) => {
      const decoded = semicolon === ';' ? decodeReference(name) : null;
      if (decoded === null) throw this.error(`"${whole}" is not a character reference read here`, offset + at);
      return decoded;
    });
  }

  private name(what: string): string {
    NAME.lastIndex = this.index;
    const match = NAME.exec(this.xml);
    if (match === null) throw this.error(`expected the name of ${what}`, this.index);
    this.index = NAME.lastIndex;
    return match[0];
  }

  /** Skips whitespace; true when there was some. */
  private whitespace(): boolean {
    WHITESPACE.lastIndex = this.index;
    WHITESPACE.exec(this.xml);
    const skipped = WHITESPACE.lastIndex > this.index;
    this.index = WHITESPACE.lastIndex;
    return skipped;
  }

  private skip(literal: string): boolean {
    if (!this.xml.startsWith(literal, this.index)) return false;
    this.index += literal.length;
    return true;
  }

  private expect(literal: string, where: string): void {
    if (!this.skip(literal)) throw this.error(`expected "${literal}" in ${where}`, this.index);
  }

  private through(terminator: string, what: string, start: number): void {
    const end = this.xml.indexOf(terminator, this.index);
    if (end < 0) throw this.error(`${what} is never closed`, start);
    this.index = end + terminator.length;
  }

  private error(reason: string, offset: number): XmlSyntaxError {
    return new XmlSyntaxError(reason, positionOf(this.xml, offset));
  }
}

function declarationKind(xml: string, offset: number): string {
  if (xml.startsWith('<![CDATA[', offset)) return 'a CDATA section';
  if (xml.startsWith('<!DOCTYPE', offset)) return 'a DOCTYPE';
  return 'a declaration';
}

function decodeReference(name: string): string | null {
  if (Object.hasOwn(PREDEFINED_ENTITIES, name)) return PREDEFINED_ENTITIES[name]!;
  const numeric = NUMERIC_REFERENCE.exec(name);
  if (numeric === null) return null;
  const codePoint = numeric[1] !== undefined ? Number(numeric[1]) : Number.parseInt(numeric[2]!, 16);
  return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : null;
}
