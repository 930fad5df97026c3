/**
 * Words the simulated shop is built from: a category tree with a price level per subcategory,
 * brands per top category, and the nouns, adjectives and features that make titles and searches.
 */

export interface SubcategorySpec {
  readonly name: string;
  /** Median unit price in USD; prices are log-normal around it. */
  readonly medianPrice: number;
  /** Product nouns; the last word is what shoppers search for. */
  readonly nouns: readonly string[];
  /** Selling points used in descriptions. */
  readonly features: readonly string[];
}

export interface CategorySpec {
  readonly name: string;
  readonly brands: readonly string[];
  readonly adjectives: readonly string[];
  readonly subcategories: readonly SubcategorySpec[];
}

export const COLORS = [
  'black',
  'white',
  'navy',
  'grey',
  'red',
  'green',
  'beige',
  'blue',
  'olive',
  'pink',
] as const;

export const SHOP_CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'Electronics',
    brands: ['Voltra', 'Nexon', 'Auralis', 'Pixelon', 'Quantix', 'Sonique', 'Helio'],
    adjectives: ['wireless', 'compact', 'smart', 'portable', 'pro', 'ultra', 'fast-charging'],
    subcategories: [
      {
        name: 'Phones',
        medianPrice: 450,
        nouns: ['smartphone', 'phone', 'mobile phone'],
        features: ['a bright OLED display', 'all-day battery life', 'a triple camera'],
      },
      {
        name: 'Laptops',
        medianPrice: 950,
        nouns: ['laptop', 'notebook', 'ultrabook'],
        features: ['a backlit keyboard', 'a 14-inch screen', 'a fast SSD'],
      },
      {
        name: 'Headphones',
        medianPrice: 110,
        nouns: ['headphones', 'earbuds', 'headset'],
        features: ['active noise cancelling', 'a 30-hour battery', 'a foldable design'],
      },
      {
        name: 'Cameras',
        medianPrice: 600,
        nouns: ['camera', 'action camera', 'mirrorless camera'],
        features: ['4K video', 'image stabilisation', 'a weather-sealed body'],
      },
    ],
  },
  {
    name: 'Home & Kitchen',
    brands: ['Hearthly', 'Casa Nova', 'Kitchora', 'Lumen & Oak', 'Nordby', 'Brasswell'],
    adjectives: ['stainless', 'ceramic', 'modern', 'classic', 'non-stick', 'handmade', 'oak'],
    subcategories: [
      {
        name: 'Cookware',
        medianPrice: 45,
        nouns: ['frying pan', 'saucepan', 'casserole', 'wok'],
        features: ['an induction-ready base', 'a cool-touch handle', 'dishwasher-safe parts'],
      },
      {
        name: 'Furniture',
        medianPrice: 220,
        nouns: ['chair', 'side table', 'bookshelf', 'stool'],
        features: ['solid wood legs', 'easy assembly', 'a scratch-resistant finish'],
      },
      {
        name: 'Bedding',
        medianPrice: 60,
        nouns: ['duvet cover', 'pillow', 'blanket', 'sheet set'],
        features: ['breathable cotton', 'a soft brushed finish', 'hidden zip closure'],
      },
      {
        name: 'Lighting',
        medianPrice: 55,
        nouns: ['desk lamp', 'floor lamp', 'pendant light'],
        features: ['warm dimmable light', 'an energy-saving LED', 'an adjustable arm'],
      },
    ],
  },
  {
    name: 'Fashion',
    brands: ['Marlowe', 'Tessa Vane', 'Urbanite', 'Kestrel', 'Fjellmark', 'Rue Sienne', 'Alder'],
    adjectives: ['slim-fit', 'oversized', 'waterproof', 'linen', 'leather', 'vintage', 'lightweight'],
    subcategories: [
      {
        name: 'Shoes',
        medianPrice: 80,
        nouns: ['sneakers', 'boots', 'loafers', 'sandals'],
        features: ['a cushioned sole', 'a grippy outsole', 'a padded collar'],
      },
      {
        name: 'Jackets',
        medianPrice: 120,
        nouns: ['jacket', 'parka', 'raincoat', 'blazer'],
        features: ['taped seams', 'a detachable hood', 'deep zip pockets'],
      },
      {
        name: 'Dresses',
        medianPrice: 65,
        nouns: ['dress', 'maxi dress', 'shirt dress'],
        features: ['a flattering wrap cut', 'side pockets', 'a relaxed fit'],
      },
      {
        name: 'Accessories',
        medianPrice: 35,
        nouns: ['belt', 'scarf', 'wallet', 'cap'],
        features: ['genuine leather', 'a gift box', 'an adjustable strap'],
      },
    ],
  },
  {
    name: 'Beauty',
    brands: ['Lumiere', 'Dewdrop', 'Botanika', 'Velvetine', 'Aqualis', 'Solenne'],
    adjectives: ['hydrating', 'organic', 'fragrance-free', 'nourishing', 'matte', 'vegan', 'gentle'],
    subcategories: [
      {
        name: 'Skin care',
        medianPrice: 24,
        nouns: ['moisturiser', 'serum', 'cleanser', 'face mask'],
        features: ['hyaluronic acid', 'vitamin C', 'SPF 30 protection'],
      },
      {
        name: 'Hair care',
        medianPrice: 16,
        nouns: ['shampoo', 'conditioner', 'hair oil'],
        features: ['argan oil', 'a sulfate-free formula', 'a salon finish'],
      },
      {
        name: 'Makeup',
        medianPrice: 18,
        nouns: ['lipstick', 'mascara', 'foundation', 'eyeliner'],
        features: ['long-lasting colour', 'a smudge-proof finish', 'a buildable formula'],
      },
      {
        name: 'Fragrance',
        medianPrice: 55,
        nouns: ['eau de parfum', 'body mist', 'cologne'],
        features: ['notes of bergamot', 'a warm vanilla base', 'a travel-size bottle'],
      },
    ],
  },
  {
    name: 'Sports & Outdoors',
    brands: ['Summitra', 'Trailforge', 'Velocis', 'Northpeak', 'Aerofit', 'Kinetik'],
    adjectives: ['ultralight', 'breathable', 'insulated', 'all-weather', 'trail', 'durable', 'packable'],
    subcategories: [
      {
        name: 'Running',
        medianPrice: 70,
        nouns: ['running shoes', 'running shorts', 'running vest'],
        features: ['reflective details', 'a responsive midsole', 'moisture-wicking fabric'],
      },
      {
        name: 'Camping',
        medianPrice: 90,
        nouns: ['tent', 'sleeping bag', 'camping stove', 'backpack'],
        features: ['a quick-pitch frame', 'a 3-season rating', 'a compression sack'],
      },
      {
        name: 'Cycling',
        medianPrice: 85,
        nouns: ['bike helmet', 'bike light', 'cycling jersey'],
        features: ['MIPS protection', 'USB charging', 'a race fit'],
      },
      {
        name: 'Fitness',
        medianPrice: 40,
        nouns: ['yoga mat', 'dumbbells', 'resistance bands', 'kettlebell'],
        features: ['a non-slip surface', 'a carry strap', 'a printed workout guide'],
      },
    ],
  },
  {
    name: 'Toys & Games',
    brands: ['Playwise', 'Brickworks', 'Tinkerly', 'Moonbeam', 'Gamesmith'],
    adjectives: ['educational', 'colourful', 'classic', 'wooden', 'family', 'deluxe', 'mini'],
    subcategories: [
      {
        name: 'Board games',
        medianPrice: 30,
        nouns: ['board game', 'card game', 'strategy game'],
        features: ['2 to 6 players', '45-minute games', 'illustrated cards'],
      },
      {
        name: 'Building sets',
        medianPrice: 45,
        nouns: ['building set', 'construction kit', 'robot kit'],
        features: ['over 500 pieces', 'step-by-step instructions', 'compatible bricks'],
      },
      {
        name: 'Puzzles',
        medianPrice: 18,
        nouns: ['jigsaw puzzle', '3D puzzle', 'puzzle box'],
        features: ['1000 pieces', 'a poster guide', 'thick recycled card'],
      },
      {
        name: 'Dolls',
        medianPrice: 25,
        nouns: ['doll', 'plush toy', 'doll house'],
        features: ['soft fabric', 'accessories included', 'washable materials'],
      },
    ],
  },
  {
    name: 'Books',
    brands: ['Harbor Press', 'Inkwell', 'Lantern Books', 'Quillstone', 'Meridian'],
    adjectives: ['bestselling', 'illustrated', 'paperback', 'hardcover', 'award-winning', 'new'],
    subcategories: [
      {
        name: 'Fiction',
        medianPrice: 14,
        nouns: ['novel', 'thriller', 'short story collection'],
        features: ['a gripping plot', 'a new translation', 'a bonus chapter'],
      },
      {
        name: 'Cooking',
        medianPrice: 25,
        nouns: ['cookbook', 'baking book', 'recipe collection'],
        features: ['100 recipes', 'full-page photographs', 'weeknight meals'],
      },
      {
        name: 'Science',
        medianPrice: 20,
        nouns: ['science book', 'astronomy guide', 'history of science'],
        features: ['clear diagrams', 'an expert author', 'a glossary'],
      },
      {
        name: "Children's books",
        medianPrice: 10,
        nouns: ['picture book', 'bedtime story', 'activity book'],
        features: ['bright illustrations', 'rhyming text', 'sturdy pages'],
      },
    ],
  },
  {
    name: 'Grocery',
    brands: ['Greenfield', 'Roastery Row', 'Pantry & Co', 'Sunhill', 'Tidewater'],
    adjectives: ['organic', 'fair-trade', 'gluten-free', 'family-size', 'artisan', 'low-sugar'],
    subcategories: [
      {
        name: 'Coffee & Tea',
        medianPrice: 12,
        nouns: ['coffee beans', 'ground coffee', 'green tea', 'herbal tea'],
        features: ['single-origin beans', 'a resealable bag', 'a medium roast'],
      },
      {
        name: 'Snacks',
        medianPrice: 5,
        nouns: ['granola bars', 'crisps', 'trail mix', 'dark chocolate'],
        features: ['no artificial flavours', 'a multipack', 'high protein'],
      },
      {
        name: 'Pantry',
        medianPrice: 7,
        nouns: ['olive oil', 'pasta', 'basmati rice', 'honey'],
        features: ['cold-pressed quality', 'a long shelf life', 'a glass bottle'],
      },
      {
        name: 'Beverages',
        medianPrice: 8,
        nouns: ['sparkling water', 'juice', 'kombucha', 'oat drink'],
        features: ['no added sugar', 'a 6-pack', 'real fruit'],
      },
    ],
  },
];

/** Words that distinguish variants of one product line in titles. */
export const VARIANTS = [
  'Plus',
  'Max',
  'Lite',
  'Air',
  'Original',
  'Essential',
  'Signature',
  'Edition',
  'X',
  'One',
] as const;
