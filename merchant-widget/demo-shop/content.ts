// What the demo shop sells: short news articles for a few cents and digital goods for a little
// more. Prices here are the merchant's catalogue, handed to the agent; the pages never carry them
// as anything but display text. An article is read for 30 days once bought and an e-book for a
// year (entitlements: the wallet opens them again without charging); a wallpaper is one download,
// paid each time (a consumable).

import type { CatalogueEntry } from '@opentab/merchant-agent';

export interface Article {
  readonly itemId: string;
  readonly section: string;
  readonly title: string;
  /** Free to read; the rest is paid. */
  readonly teaser: string;
  readonly price: string;
  readonly paragraphs: readonly string[];
}

interface ProductBase {
  readonly itemId: string;
  readonly title: string;
  readonly blurb: string;
  readonly price: string;
  /**
   * Sold by secure delivery (delivered-goods.ts): encrypted, checked by the wallet, paid only on its
   * accept, and saved by the extension; otherwise released by the shop against the receipt's token.
   */
  readonly delivery?: true;
}

export type Product =
  | (ProductBase & { readonly kind: 'wallpaper'; readonly palette: readonly [string, string, string] })
  | (ProductBase & { readonly kind: 'ebook'; readonly chapters: readonly { title: string; text: string }[] })
  /** A large file (an uncompressed photograph of several megabytes), only ever delivered. */
  | (ProductBase & { readonly kind: 'photo'; readonly delivery: true });

export const ARTICLES: readonly Article[] = [
  {
    itemId: 'article-1',
    section: 'City',
    price: '0.02',
    title: 'Night ferry returns after a two-year pause',
    teaser:
      'The harbour’s late ferry runs again from Monday, with a timetable shaped by the people who missed it most.',
    paragraphs: [
      'The last crossing leaves the north pier at 23:40 and reaches the island twenty minutes later, a schedule drawn up after the transport office asked night-shift workers when they actually finish.',
      'Fares stay at the day rate. The operator says the evening service pays for itself if forty passengers a night use it; in the trial weeks before the pause it averaged fifty-five.',
      'Two of the three original crews are back. “People wave at the boat,” said one deckhand. “You don’t get that on the bridge.”',
    ],
  },
  {
    itemId: 'article-2',
    section: 'Science',
    price: '0.05',
    title: 'A lake that breathes: sensors catch a winter oxygen pulse',
    teaser: 'Under the ice of a mountain lake, researchers recorded oxygen rising where nobody expected it to.',
    paragraphs: [
      'A string of twelve sensors frozen into the lake logged a daily rise in dissolved oxygen throughout January, weeks before any light should have reached the algae below the snow-covered ice.',
      'The team’s explanation is wind: gusts that sweep the snow away open brief windows of clear ice, and the algae make the most of every hour of them.',
      'If the pattern holds across other lakes, winter models of mountain water quality may be too pessimistic, the authors write, though they caution that one lake and one winter prove little.',
    ],
  },
  {
    itemId: 'article-3',
    section: 'Culture',
    price: '0.05',
    title: 'The library that lends tools now lends instruments',
    teaser:
      'After drills and ladders, the neighbourhood library adds violins, a cello and a small drum kit to its catalogue.',
    paragraphs: [
      'The instruments came from a school that replaced its stock. Volunteers restrung and tuned them over the winter; a local teacher offers a free first lesson with every loan.',
      'Loans last three weeks and can be renewed twice. The drum kit comes with practice pads, a condition the library’s neighbours requested.',
      'The waiting list for the cello reached nineteen names in the first afternoon.',
    ],
  },
  {
    itemId: 'article-4',
    section: 'Business',
    price: '0.07',
    title: 'Why the corner bakery stopped taking cards under two euros',
    teaser: 'A baker does the arithmetic on card fees, and his customers are surprised by the answer.',
    paragraphs: [
      'On a two-euro pretzel the fixed part of the card fee eats more than the margin on the flour, he says. Cash customers were, in effect, paying for card customers.',
      'The shop now keeps a running tab for regulars instead: one card payment at the end of the week covers every coffee.',
      '“It is the same idea as a bar tab,” he says. “Trust first, settle once.” Most regulars switched within a month.',
    ],
  },
  {
    itemId: 'article-5',
    section: 'Sport',
    price: '0.08',
    title: 'Amateur rowers beat the clock on a flooded course',
    teaser: 'High water turned the regatta into a test of steering rather than strength.',
    paragraphs: [
      'The river ran a metre above normal, and the organisers shortened the course by a third rather than cancel it.',
      'The mixed eight from the university club won by half a length, having spent the morning walking the bank to learn where the current bent.',
      'The club’s cox credited a borrowed tide table and a thermos of very strong tea.',
    ],
  },
  {
    itemId: 'article-6',
    section: 'Technology',
    price: '0.10',
    title: 'Paying a cent without paying a fee',
    teaser:
      'Micropayments have failed for decades because every payment costs the same to process. Deposits change the sum.',
    paragraphs: [
      'The expensive parts of a payment — checking who you are, holding money, converting currency — do not depend on the amount. Paying one cent costs as much to process as paying a hundred euros.',
      'A deposit-based tab moves all of that to the start and the end. The reader places one deposit with a merchant, spends it click by click, and the whole tab is settled once.',
      'Each click carries its own proof: a value from a hash chain that only the reader can produce, checked by the merchant in microseconds and with no bank involved.',
    ],
  },
  {
    itemId: 'article-7',
    section: 'City',
    price: '0.10',
    title: 'Street trees get their own census',
    teaser: 'Four hundred volunteers counted, measured and photographed every tree on the city’s public streets.',
    paragraphs: [
      'The count found 31,420 street trees of 112 species, about 2,000 more than the parks office had on file, most of them young limes planted in the last decade.',
      'Every tree now has a public page with its species, size and the date it was last pruned. Residents can report damage from the page.',
      'The census will be repeated every five years; the data is open for anyone to use.',
    ],
  },
  {
    itemId: 'article-8',
    section: 'Food',
    price: '0.12',
    title: 'The three-ingredient soup that fed a festival',
    teaser: 'Onions, stale bread and good stock: the recipe behind the busiest stall of the summer.',
    paragraphs: [
      'The cooks caramelise ten kilos of onions overnight, slowly, in two wide pans, stirring every quarter of an hour.',
      'Yesterday’s bread goes into the bowl first, the stock and onions on top, and a spoon of the onion’s own dark syrup to finish.',
      'They served 3,100 bowls in three days and threw away no bread at all.',
    ],
  },
  {
    itemId: 'article-9',
    section: 'Science',
    price: '0.15',
    title: 'How old is that star? Ask its neighbours',
    teaser: 'Stars born together drift apart slowly; their shared motion gives away their common age.',
    paragraphs: [
      'Astronomers traced groups of stars that move across the sky in step, the remains of clusters that formed from a single cloud of gas.',
      'Because the members were born together, the best-measured star in a group dates all the others, including faint ones that could not be dated alone.',
      'The method added reliable ages for some 8,000 stars, a useful sample for anyone asking how planets change as their stars grow old.',
    ],
  },
  {
    itemId: 'article-10',
    section: 'Opinion',
    price: '0.18',
    title: 'In praise of the paper timetable',
    teaser: 'Apps tell you when the next bus comes. A printed timetable tells you how the city moves.',
    paragraphs: [
      'A timetable on a bus stop is a small map of time: it shows the rhythm of the route, the rush hours and the quiet ones, the last bus and the first.',
      'An app answers a single question well. The paper sheet answers the questions you did not know to ask — whether it is worth waiting, whether the late service runs on Sundays.',
      'Keep the apps. But keep the paper, too, and keep it legible.',
    ],
  },
  {
    itemId: 'article-11',
    section: 'Business',
    price: '0.20',
    title: 'A cooperative buys the last cinema in town',
    teaser: 'Eleven hundred members put in a hundred euros each to keep the projector running.',
    paragraphs: [
      'The single-screen cinema was to become flats. Instead its regulars formed a cooperative and bought the building with member shares and a loan from a local bank.',
      'Members vote on one film a month. The rest of the programme stays with the manager, who has run it for twenty-two years.',
      'The first members’ choice was a silent comedy, screened with a live pianist, and it sold out twice.',
    ],
  },
  {
    itemId: 'article-12',
    section: 'Travel',
    price: '0.22',
    title: 'Walking the old salt road in four days',
    teaser: 'A forgotten trade route crosses three valleys, two passes and one very good inn.',
    paragraphs: [
      'For five centuries mule trains carried salt over the range on a path that is now a waymarked trail of ninety kilometres.',
      'The second day climbs to the higher pass, where a stone shelter still has the iron rings the muleteers tied their animals to.',
      'The inn at the end of the third day has served travellers since 1620. Book ahead: it has six rooms.',
    ],
  },
  {
    itemId: 'article-13',
    section: 'Long read',
    price: '0.25',
    title: 'The clockmaker’s ledger',
    teaser:
      'A box of account books found in an attic tells the story of a workshop, and of a street, over sixty years.',
    paragraphs: [
      'The ledgers begin in 1898 with a repair: one pocket watch, new mainspring, two crowns. They end in 1959 with the sale of the workshop’s tools.',
      'Between those entries is a street’s economic life in miniature — credit extended to neighbours in hard winters, debts forgiven in a different ink, a sudden run of wristwatch repairs in 1919.',
      'The clockmaker never wrote a diary. He did not need to. His customers, their trades and their troubles are all in the columns, one small sum at a time.',
      'The books are now in the city archive, digitised and searchable, and the archivists are asking descendants of the customers to get in touch.',
    ],
  },
  {
    itemId: 'article-14',
    section: 'Culture',
    price: '0.03',
    title: 'Crossword champion explains the clue that stumped everyone',
    teaser: 'Nine letters, “Settled once, paid many times”. The answer is not what you think.',
    paragraphs: [
      'The champion solved it in under a minute during the final: the answer was SUBSCRIBE, she says, though she admits TABULATED would have fit the letters she had.',
      'The setter, reached afterwards, confirmed that both answers had been argued over in the editorial meeting.',
      'Next year’s final will allow appeals.',
    ],
  },
];

export const PRODUCTS: readonly Product[] = [
  {
    kind: 'wallpaper',
    itemId: 'wallpaper-aurora',
    title: 'Aurora wallpaper',
    price: '0.30',
    blurb: 'Green and violet bands over a dark sky. Vector art, any screen size.',
    palette: ['#0b1d2a', '#39d98a', '#8a5cf6'],
  },
  {
    kind: 'wallpaper',
    itemId: 'wallpaper-harbour',
    title: 'Harbour dusk wallpaper',
    price: '0.40',
    blurb:
      'Warm evening light over still water. Vector art, any screen size. Delivered encrypted and checked by your wallet.',
    delivery: true,
    palette: ['#1d2440', '#f59e0b', '#ef4444'],
  },
  {
    kind: 'wallpaper',
    itemId: 'wallpaper-meadow',
    title: 'Meadow wallpaper',
    price: '0.50',
    blurb: 'Soft hills in spring colours. Vector art, any screen size.',
    palette: ['#e0f2e9', '#4ade80', '#0ea5e9'],
  },
  {
    kind: 'ebook',
    itemId: 'ebook-harbour-lights',
    title: 'Harbour Lights (short stories)',
    price: '0.90',
    blurb:
      'Three short stories set on the night ferry, as a text file. Delivered encrypted and checked by your wallet.',
    delivery: true,
    chapters: [
      {
        title: 'The last crossing',
        text: 'She took the 23:40 every night for a year before she learned the captain’s name, and by then it was the name of the boat as well.',
      },
      {
        title: 'Fog',
        text: 'The horn sounded every two minutes. Between the blasts, the passengers told each other the truth, because no one could see their faces.',
      },
      {
        title: 'Island time',
        text: 'On the island the clocks ran four minutes slow, and nobody on the island had ever minded.',
      },
    ],
  },
  {
    kind: 'ebook',
    itemId: 'ebook-salt-road',
    title: 'The Salt Road (walking guide)',
    price: '1.20',
    blurb: 'Stage by stage, with water points, shelters and the inn.',
    chapters: [
      {
        title: 'Stage one: the valley',
        text: 'Leave the village by the chapel and follow the white-red marks along the stream; water at the mill after two hours.',
      },
      {
        title: 'Stage two: the high pass',
        text: 'The climb is steady rather than steep. The shelter at the top sleeps six; the iron rings are by the door.',
      },
      {
        title: 'Stage three: down to the inn',
        text: 'The descent is long. Ring the inn from the pass if you will arrive after seven; they hold soup for walkers.',
      },
    ],
  },
  {
    kind: 'ebook',
    itemId: 'ebook-ledger',
    title: 'The Clockmaker’s Ledger (annotated)',
    price: '1.50',
    blurb: 'The long read, with the ledger pages and notes from the archive.',
    chapters: [
      {
        title: '1898–1914',
        text: 'Repairs, mostly: mainsprings, crystals, hands. Credit is extended freely and noted in pencil.',
      },
      { title: '1914–1929', text: 'Wristwatches appear. Debts are forgiven in red ink in the winter of 1919.' },
      { title: '1929–1959', text: 'Fewer entries, larger sums. The last page lists the tools and who bought them.' },
    ],
  },
  {
    kind: 'photo',
    itemId: 'photo-harbour-night',
    title: 'Harbour at night (full-size photograph)',
    price: '0.80',
    blurb: 'An uncompressed 2400 × 1200 image, 8.6 MB. Delivered encrypted and checked by your wallet.',
    delivery: true,
  },
];

const EBOOK_ACCESS_S = 365 * 86_400;

export function demoCatalogue(): CatalogueEntry[] {
  const articles = ARTICLES.map(({ itemId, title, price }): CatalogueEntry => ({ itemId, title, price }));
  const products = PRODUCTS.map(
    ({ kind, itemId, title, price }): CatalogueEntry =>
      // A photograph is kept like an e-book: the wallet may download it again for a year.
      kind === 'ebook' || kind === 'photo'
        ? { itemId, title, price, access_s: EBOOK_ACCESS_S }
        : { itemId, title, price, kind: 'consumable' },
  );
  return [...articles, ...products];
}
