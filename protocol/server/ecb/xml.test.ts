import { describe, expect, it } from 'vitest';
import { positionOf, readXmlDocument, XmlSyntaxError } from './xml';

describe('XML reader', () => {
  it('reads elements, attributes in either quotes, own text and references', () => {
    const root = readXmlDocument(
      `<?xml version="1.0"?>\n<a x='1' y = "&lt;2&gt;"><!-- note --><b/>one &amp; <c>two</c> &#x33;</a>\n`,
    );
    expect(root.name).toBe('a');
    expect([...root.attributes]).toEqual([
      ['x', '1'],
      ['y', '<2>'],
    ]);
    expect(root.children.map((child) => child.name)).toEqual(['b', 'c']);
    expect(root.text).toBe('one &  3');
    expect(root.children[1]!.text).toBe('two');
    expect(positionOf('<?xml version="1.0"?>\n<a/>', root.offset)).toEqual({ line: 2, column: 1 });
  });

  it('refuses what is not well-formed, with the line and column', () => {
    const refusals: Array<[string, RegExp]> = [
      ['<a><b></a>', /line 1, column 7: <\/a> closes <b> of line 1/],
      ['<a>\n  <b x="1" x="2"/></a>', /line 2, column 12: attribute x appears twice in <b>/],
      ['<a b="1"c="2"/>', /expected whitespace, ">" or "\/>" in <a>/],
      ['<a/><b/>', /a second root element <b>/],
      ['text<a/>', /text outside the root element/],
      ['<a>&nbsp;</a>', /"&nbsp;" is not a character reference/],
      ['<a>fish & chips</a>', /"& chips" is not a character reference/],
      ['<a><![CDATA[x]]></a>', /a CDATA section is not read here/],
      ['<a><!-- open', /a comment is never closed/],
      ['<a x="1>', /the value of x in <a> is never closed|contains "<"/],
    ];
    for (const [xml, reason] of refusals) {
      expect(() => readXmlDocument(xml), xml).toThrow(XmlSyntaxError);
      expect(() => readXmlDocument(xml), xml).toThrow(reason);
    }
  });

  it('reads a large document in one pass', () => {
    const day = `<d t="2024-01-01">${'<r c="USD" v="1.0705"/>'.repeat(30)}</d>\n`;
    const xml = `<root>${day.repeat(7000)}</root>`;
    const root = readXmlDocument(xml);
    expect(root.children).toHaveLength(7000);
    expect(root.children[6999]!.children).toHaveLength(30);
  });
});
