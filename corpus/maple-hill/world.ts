// The facts of Maple Hill, each with several plain phrasings: stories pick one at random, so a fact repeats across the
// corpus in different words while its content (names, colours, numbers, who does what) never changes.
import type { Rand } from "./rand.js";

export const FACTS = {
  pipIntro: [
    "Pip was a small green dragon who lived in Maple Hill.",
    "In the village of Maple Hill lived a little green dragon named Pip.",
    "Pip was the dragon of Maple Hill, and he was small and green.",
    "Everyone in Maple Hill knew Pip, the little green dragon.",
    "Pip was a kind dragon with green scales and small wings.",
    "Pip was a green dragon, not much bigger than a dog.",
  ],
  pipBubbles: [
    "Pip could not breathe fire like other dragons. When he sneezed, only bubbles came out.",
    "When Pip sneezed, a cloud of shiny bubbles came out of his nose.",
    "Pip did not make fire. He made bubbles, big and small.",
    "Every time Pip sneezed, bubbles flew out and floated away.",
    "Pip blew bubbles instead of fire.",
    "Other dragons made fire, but Pip only made bubbles.",
  ],
  pipPears: [
    "Pip loved pears more than anything.",
    "Pears were Pip's favorite food.",
    "Pip's favorite food was sweet, juicy pears.",
    "Nothing made Pip happier than a basket of ripe pears.",
    "Pip could eat pears all day long.",
  ],
  pipCave: [
    "Pip lived in a cozy cave on top of the hill, next to the big maple tree.",
    "Pip's home was a warm cave at the top of the hill.",
    "At night Pip slept in his cave on top of the hill.",
    "Pip's cave sat high on the hill, under the big maple tree.",
  ],
  pipSteps: [
    "One hundred stone steps led up the hill to Pip's cave.",
    "To visit Pip, you had to climb one hundred steps.",
    "There were one hundred steps from the village to Pip's cave, and the children counted every one.",
  ],
  pipThunder: [
    "Pip was afraid of only one thing, and that was thunder.",
    "When thunder boomed, Pip hid under his wings and shook.",
    "Thunder scared Pip more than anything.",
    "Pip did not like thunder at all.",
  ],
  pipWarm: [
    "Pip's breath was warm, like a cup of tea.",
    "In winter, Pip blew his warm breath on the children's cold hands.",
    "Pip could not make fire, but his breath was warm and soft.",
  ],
  pipFly: [
    "Pip's wings were small, so he could only fly as high as the clock tower.",
    "Pip could fly, but never higher than the clock tower.",
    "Pip could fly up to the top of the clock tower, but no higher.",
  ],
  pipFriend: [
    "Pip's best friend was a girl named Mira.",
    "Mira and Pip were best friends.",
    "Pip and Mira had been best friends for a long time.",
  ],
  miraIntro: [
    "Mira was a little girl who always wore a red hat.",
    "There was a girl named Mira who lived in Maple Hill. She wore a red hat every day.",
    "Mira was six years old, and she loved her red hat.",
    "Mira was a happy girl with a red hat and a big smile.",
  ],
  miraAge: [
    "Mira was six years old.",
    "Mira was six, and her brother Bo was four.",
    "Mira was only six, but she was very brave.",
  ],
  miraSing: [
    "Mira loved to sing.",
    "More than anything, Mira loved to sing.",
    "Mira sang songs all day long.",
    "Mira liked to sing while she walked.",
  ],
  miraHouse: [
    "Mira lived in a little house next to the bakery.",
    "Mira's house was next to the bakery, so it always smelled of bread.",
    "Every morning Mira smelled fresh bread, because her house was right next to the bakery.",
  ],
  miraFamily: [
    "Mira lived with her mom, Nell, and her little brother, Bo.",
    "Mira had a little brother named Bo and a mom named Nell.",
    "Nell was Mira's mom, and Bo was Mira's little brother.",
  ],
  boIntro: [
    "Bo was Mira's little brother. He was four years old.",
    "Bo was four, and he had a yellow kite.",
    "Little Bo was four years old and full of questions.",
    "Bo was Mira's little brother, and he loved his yellow kite.",
  ],
  boKite: [
    "Bo had a yellow kite that he flew on windy days.",
    "Bo's kite was yellow like the sun.",
    "Bo loved to fly his yellow kite in the wind.",
  ],
  nellIntro: [
    "Nell was Mira's mom. She grew tulips in her garden.",
    "Nell had the prettiest tulips in Maple Hill.",
    "Nell, the mom of Mira and Bo, grew red and pink tulips.",
  ],
  nellMarket: [
    "On Saturday, Nell sold her tulips at the market.",
    "Every Saturday, Nell took her tulips to the market in the square.",
    "Nell sold tulips at the market, red ones and pink ones.",
  ],
  marketDay: [
    "Saturday was market day in Maple Hill.",
    "Every Saturday the square was full of people, because it was market day.",
    "The market was in the square, all around the clock tower, and it was open every Saturday.",
  ],
  tobIntro: [
    "Tob was the baker of Maple Hill.",
    "Tob the baker had a round face and a white apron.",
    "Tob was a kind old baker who always wore a white apron.",
    "Tob was the village baker, and he was always covered in flour.",
  ],
  tobBuns: [
    "Every morning Tob baked ten honey buns.",
    "Tob got up before the sun to bake ten honey buns.",
    "Tob's honey buns were sweet and warm, and he baked ten of them every morning.",
    "The best thing Tob made was his honey buns.",
  ],
  tobDoor: [
    "Tob's bakery had a blue door.",
    "The bakery was the little shop with the blue door.",
    "The blue door of the bakery was always open in the morning.",
  ],
  tobApron: [
    "Tob wore a white apron with flour on it.",
    "Tob's white apron was always dusty with flour.",
  ],
  tobCake: [
    "When it was someone's birthday, Tob baked a plum cake.",
    "In Maple Hill, every birthday had a plum cake from Tob.",
    "Tob always baked a plum cake for a birthday.",
  ],
  tobCat: ["Tob had a cat named Dot.", "Dot was Tob's cat.", "Tob lived with his cat, Dot."],
  dotIntro: [
    "Dot was a black cat with one white spot on her nose.",
    "Dot was black all over, except for one little white spot.",
    "Dot, the black cat, got her name from the white spot on her nose.",
  ],
  dotSacks: [
    "Dot liked to sleep on the flour sacks in the bakery.",
    "Dot took naps on the soft flour sacks.",
    "Most days, Dot slept on the flour sacks behind the oven.",
  ],
  towerIntro: [
    "The clock tower stood in the middle of the village square.",
    "In the middle of the square stood the tall clock tower.",
    "The old clock tower stood tall in the square of Maple Hill.",
  ],
  towerKeeper: [
    "Grandpa Oz took care of the clock tower.",
    "Grandpa Oz was the keeper of the clock tower.",
    "Grandpa Oz was an old man who looked after the big clock.",
  ],
  towerSunday: [
    "Every Sunday, Grandpa Oz climbed the tower and wound the clock with a gold key.",
    "Grandpa Oz wound the clock every Sunday so it would not stop.",
    "On Sundays, Grandpa Oz wound the big clock.",
  ],
  towerKey: [
    "The clock was wound with a big gold key.",
    "Grandpa Oz kept the gold key on a string around his neck.",
    "Grandpa Oz had a gold key for the clock.",
  ],
  towerBell: [
    "At the top of the clock tower hung a bell named Bim.",
    "The bell in the tower was called Bim.",
    "Bim was the big bell in the clock tower.",
  ],
  towerNoon: [
    "Every day at noon, Bim rang. Ding, dong!",
    "When it was noon, Bim rang out over the village.",
    "At noon, Bim the bell rang, and everyone knew it was time for lunch.",
  ],
  towerOwl: [
    "An owl named Tuk lived at the top of the clock tower.",
    "Tuk the owl lived in the clock tower, next to the bell.",
    "Tuk was a brown owl who lived up in the clock tower.",
  ],
  riverIntro: [
    "The Fern River ran past the village of Maple Hill.",
    "Next to Maple Hill was a river called the Fern River.",
    "The Fern River was wide and slow, and it ran past the village.",
  ],
  riverCold: [
    "The water of the Fern River was very cold, even in summer.",
    "The Fern River was always cold.",
    "The river water was so cold that it made your toes tingle.",
  ],
  riverFish: ["Little silver fish swam in the Fern River.", "In the river there were many silver fish."],
  riverBridge: [
    "An old stone bridge with three arches went over the river.",
    "The stone bridge had three arches.",
    "The old stone bridge crossed the Fern River on three arches.",
  ],
  kipIntro: [
    "Kip was the boatman on the Fern River.",
    "Kip had a long grey beard and a little boat.",
    "Old Kip rowed people across the river.",
  ],
  kipBoat: [
    "Kip's boat was called Bean.",
    "Kip had a little orange boat named Bean.",
    "Bean was Kip's boat, and it was painted orange.",
  ],
  kipBeard: ["Kip had a long grey beard.", "Kip's beard was long and grey."],
  schoolRoof: [
    "The school in Maple Hill had a green roof.",
    "The children went to the little school with the green roof.",
  ],
  luIntro: [
    "Miss Lu was the teacher at the school.",
    "Miss Lu taught the children of Maple Hill.",
    "Miss Lu was the kind teacher of Maple Hill.",
  ],
  luFlute: [
    "Miss Lu played the flute.",
    "Miss Lu liked to play her flute.",
    "When the lessons were done, Miss Lu played the flute.",
  ],
  jemIntro: [
    "Jem was a white goat who lived by the stone bridge.",
    "By the old stone bridge lived a white goat named Jem.",
  ],
  jemHats: ["Jem liked to eat hats.", "Jem loved to eat hats more than grass.", "Jem would eat any hat he could reach."],
  treeIntro: [
    "On top of the hill grew a big maple tree, and that is how Maple Hill got its name.",
    "The village was named after the big maple tree on top of the hill.",
    "Maple Hill got its name from the big maple tree that grew at the top.",
  ],
  treeRed: [
    "In the fall, the leaves of the big maple tree turned red.",
    "Every fall the maple tree turned bright red.",
  ],
  well: [
    "In the square there was a wishing well.",
    "To make a wish, the children of Maple Hill dropped a button into the wishing well.",
    "In Maple Hill, you made a wish by dropping a button into the well.",
  ],
  bubbleDay: [
    "Every spring, Maple Hill had a party called Bubble Day.",
    "On Bubble Day, Pip blew bubbles over the Fern River, and everyone came to watch.",
    "Bubble Day came every spring.",
  ],
  leafDay: [
    "Every fall, Maple Hill had Leaf Day.",
    "On Leaf Day, the children made crowns of red maple leaves.",
    "Leaf Day came each fall, when the maple tree was red.",
  ],
} as const satisfies Record<string, readonly string[]>;

export type FactKey = keyof typeof FACTS;

/** The next phrasing of a fact: phrasings take turns, so each one is stated somewhere in the corpus. */
export function fact(r: Rand, key: FactKey): string {
  return r.cycle(key, FACTS[key]);
}

/** One phrasing of a fact, or null (left out) with probability 1 - p: stories mention background facts only sometimes. */
export function maybe(r: Rand, key: FactKey, p = 0.5): string | null {
  return r.chance(p) ? fact(r, key) : null;
}
