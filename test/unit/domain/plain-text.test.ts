import fc from 'fast-check';
import { plainText, plainTextOrNull } from '../../../src/domain/plain-text';

describe('plainText', () => {
  it.each([
    [
      'the pass icon Moodle puts before a grade',
      '<i class="icon fa fa-check" title="Pass" role="img"></i>78.00',
      '78.00',
    ],
    [
      'feedback paragraphs and inline emphasis',
      '<p>Good. <strong>Cite</strong> more.</p><p>See me.</p>',
      'Good. Cite more. See me.',
    ],
    ['an inline tag inside a word', 'Gr<b>ea</b>t', 'Great'],
    [
      'line breaks and list items',
      'one<br>two<br/>three<ul><li>four</li><li>five</li></ul>',
      'one two three four five',
    ],
    ['a quoted attribute containing >', '<span title="a > b" data-x=\'c>d\'>Pass</span>', 'Pass'],
    ['an unquoted attribute and odd spacing', '<span class=grade >7</span >', '7'],
    ['upper-case tags', '<P>Done</P>', 'Done'],
    ['script and style contents', 'A<script>alert("<b>x</b>")</script>B<style>p { color: red }</style>C', 'A B C'],
    ['an unclosed script', '78.00<script>document.write(1)', '78.00'],
    ['comments and declarations', '<!DOCTYPE html><!-- <b>old</b> -->Kept', 'Kept'],
  ])('strips %s', (_case, html, text) => {
    expect(plainText(html)).toBe(text);
  });

  it.each([
    ['&amp; &lt; &gt; &quot; &#39; &apos;', `& < > " ' '`],
    ['0&ndash;100', '0\u2013100'],
    ['Poor&ndash;Excellent', 'Poor\u2013Excellent'],
    ['&#233;t&#xE9; &#X2013;', '\u00e9t\u00e9 \u2013'],
    ['&#128512;', '\u{1f600}'],
    ['&#0; &#xD800; &#99999999;', '\ufffd \ufffd \ufffd'],
    // A browser reads the legacy names without their semicolon too.
    ['&unknown; &constructor; AT&T; & alone; &amp', '&unknown; &constructor; AT&T; & alone; &'],
    ['Fran&ccedil;ais &eacute;l&egrave;ve &Uuml;bung', 'Fran\u00e7ais \u00e9l\u00e8ve \u00dcbung'],
  ])('decodes the entities in %p', (html, text) => {
    expect(plainText(html)).toBe(text);
  });

  it('decodes entities after stripping, so escaped markup is text', () => {
    expect(plainText('&lt;b&gt;bold&lt;/b&gt;')).toBe('<b>bold</b>');
    expect(plainText('<p>5 &lt; 7</p>')).toBe('5 < 7');
  });

  it('decodes double-encoded text once only', () => {
    expect(plainText('&amp;lt;b&amp;gt;')).toBe('&lt;b&gt;');
    expect(plainText('&amp;amp;')).toBe('&amp;');
    expect(plainText('&amp;#39;')).toBe('&#39;');
  });

  it('collapses whitespace, no-break spaces included, and trims', () => {
    expect(plainText('  78.00&nbsp;%\n\t<p> Well  done </p>  ')).toBe('78.00 % Well done');
    expect(plainText('78.00\u00a0%')).toBe('78.00 %');
  });

  it('leaves a < that does not open a tag', () => {
    expect(plainText('a < b and 3 <4 <3')).toBe('a < b and 3 <4 <3');
  });

  it.each([[''], ['   '], ['<p></p>'], ['<i class="icon fa fa-check"></i>'], ['&nbsp;'], ['<br><br>']])(
    'gives an empty string for %p',
    (html) => {
      expect(plainText(html)).toBe('');
    },
  );

  it.each([['78.00'], ['78.00 %'], ['C+'], ['Good'], ['-'], ['Essay 1: Romantic poets'], ['90.91 %']])(
    'leaves plain %p unchanged',
    (text) => {
      expect(plainText(text)).toBe(text);
    },
  );

  it('leaves any text without markup or entities unchanged but for whitespace', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        fc.pre(!text.includes('<') && !text.includes('&'));
        expect(plainText(text)).toBe(text.replace(/\s+/g, ' ').trim());
      }),
    );
  });

  it('stays linear on many unterminated tags, quoted attributes included', () => {
    const hostile = '<a '.repeat(50_000) + '<a b="x'.repeat(20_000);
    const start = performance.now();
    plainText(hostile);
    // Tens of milliseconds when linear; a tag pattern that runs past "<" takes seconds here.
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('plainTextOrNull', () => {
  it('keeps an absent field null and an empty one empty', () => {
    expect(plainTextOrNull(undefined)).toBeNull();
    expect(plainTextOrNull('')).toBe('');
    expect(plainTextOrNull('<b>B</b>')).toBe('B');
  });
});
