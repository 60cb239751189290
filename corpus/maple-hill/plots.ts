// The story plots of the training split: each plot is a small tale with a few branches and wordings, told about the
// fixed world of world.ts. A plot returns its sentences in order; null marks a sentence the random draw left out.
import type { Rand } from "./rand.js";
import { fact, maybe } from "./world.js";

export type Plot = (r: Rand) => (string | null)[];

const WHEN = [
  "One sunny morning",
  "One day",
  "Early one morning",
  "One bright afternoon",
  "One warm day",
  "One cloudy morning",
  "After lunch one day",
];

const once = (r: Rand): string =>
  r.pick(["Once upon a time, in a village called Maple Hill,", "Once upon a time, in the village of Maple Hill,", "Long ago, in Maple Hill,"]);

/** A child of the village with the words a sentence needs about them. */
interface Kid {
  name: string;
  he: string;
  his: string;
  him: string;
}
const MIRA: Kid = { name: "Mira", he: "she", his: "her", him: "her" };
const BO: Kid = { name: "Bo", he: "he", his: "his", him: "him" };
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const PLOTS: Plot[] = [
  // Pip sneezes bubbles somewhere in the village.
  (r) => {
    const place = r.pick([
      { where: "the bakery", cause: "Tob shook flour into the air", after: "Dot woke up and tried to catch them with her paws." },
      { where: "the market", cause: "he sniffed Nell's tulips", after: "The people at the market laughed and clapped." },
      { where: "the clock tower", cause: "the dust tickled his nose", after: "Tuk the owl blinked and hooted at the bubbles." },
      { where: "the school", cause: "the chalk dust flew up", after: "Miss Lu smiled, and the children popped the bubbles one by one." },
    ]);
    return [
      `${r.pick(WHEN)}, Pip went to ${place.where}.`,
      maybe(r, "pipIntro", 0.6),
      `Then ${place.cause}, and Pip began to sneeze.`,
      r.pick([`"Ah... ah... achoo!"`, `"Achoo! Achoo!"`]),
      fact(r, "pipBubbles"),
      r.pick([`The bubbles filled ${place.where}.`, `Soon there were bubbles everywhere.`, `The bubbles shone in the light.`]),
      place.after,
    ];
  },
  // Someone carries pears up the hundred steps to Pip.
  (r) => {
    const who = r.pick([
      { name: "Mira", he: "she", his: "her" },
      { name: "Bo", he: "he", his: "his" },
      { name: "Tob the baker", he: "he", his: "his" },
      { name: "Nell", he: "she", his: "her" },
    ]);
    return [
      `${r.pick(WHEN)}, ${who.name} filled a basket with pears.`,
      r.pick([`"These are for Pip," ${who.he} said.`, `${cap(who.he)} wanted to give them to Pip.`]),
      fact(r, "pipPears"),
      `${cap(who.he)} walked up the hill to the cave.`,
      fact(r, "pipSteps"),
      r.pick([
        `At the top, ${who.name} was tired, but ${who.he} was happy.`,
        `${cap(who.his)} legs were tired when ${who.he} got to the top.`,
      ]),
      r.pick([
        `Pip ate every pear and gave ${who.name} a big dragon hug.`,
        `Pip was so happy that he sneezed, and bubbles floated all around.`,
        `"Thank you!" said Pip, and he shared the last pear with ${who.name}.`,
      ]),
    ];
  },
  // A storm: Pip is afraid of thunder and a friend helps.
  (r) => {
    const helper = r.pick(["sing", "oz", "tob", "lu"]);
    const help =
      helper === "sing"
        ? [`Mira ran up the hill in her red hat.`, `She sat next to Pip and sang a soft song until the storm went away.`]
        : helper === "oz"
          ? [`Grandpa Oz opened the door of the clock tower.`, `"Come inside, Pip," he said. Pip hid in the tower with Tuk until the storm was over.`]
          : helper === "tob"
            ? [`Tob the baker came with a warm honey bun.`, `"Eat this, Pip," said Tob. "Storms do not last forever." And soon the sky was quiet.`]
            : [`Miss Lu came with her flute.`, `She played a happy tune, and Pip forgot to be afraid.`];
    return [
      `${r.pick(["One dark night", "One summer evening", "One rainy afternoon"])}, big clouds came over Maple Hill.`,
      r.pick([`Boom! The thunder was loud.`, `Then the thunder began to roar.`]),
      fact(r, "pipThunder"),
      r.pick([`Pip hid in the back of his cave.`, `Pip covered his eyes with his wings.`]),
      ...help,
      maybe(r, "pipFriend", 0.4),
    ];
  },
  // Tob's morning at the bakery.
  (r) => [
    `${r.pick(["Every day", "Each morning", "Before the sun came up"])}, Tob the baker was busy in his bakery.`,
    maybe(r, "tobDoor", 0.6),
    fact(r, "tobBuns"),
    fact(r, "tobApron"),
    fact(r, "tobCat"),
    fact(r, "dotSacks"),
    r.pick([
      `When the buns were ready, the whole street smelled sweet.`,
      `Mira could smell the buns from her house next door.`,
      `The first person to come in was Grandpa Oz, who always bought one bun.`,
    ]),
    r.pick([`"Good morning, Maple Hill!" said Tob.`, `Tob smiled. He loved his work.`, `By noon, all ten buns were gone.`]),
  ],
  // Dot the cat is missing.
  (r) => {
    const found = r.pick([
      `Dot was asleep on the flour sacks, right where she always slept.`,
      `Dot was sitting in Kip's boat, Bean, watching the silver fish.`,
      `Dot was at the top of the clock tower, sleeping next to Tuk the owl.`,
      `Dot was in Nell's garden, hiding between the tulips.`,
    ]);
    return [
      `${r.pick(WHEN)}, Tob could not find his cat.`,
      fact(r, "tobCat"),
      fact(r, "dotIntro"),
      `"Dot! Where are you?" called Tob.`,
      r.pick([`Mira and Bo helped him look.`, `Mira helped him look all over the village.`]),
      maybe(r, "miraHouse", 0.6),
      `They looked under the table and behind the blue door.`,
      `At last they found her. ${found}`,
      r.pick([`Tob laughed and picked her up.`, `Everyone laughed, and Dot said, "Meow."`]),
    ];
  },
  // A birthday with a plum cake.
  (r) => {
    const kid = r.pick([
      { name: "Mira", line: "Mira turned six years old" },
      { name: "Bo", line: "Bo turned four years old" },
      { name: "Grandpa Oz", line: "Grandpa Oz had a birthday" },
      { name: "Miss Lu", line: "it was Miss Lu's birthday" },
    ]);
    return [
      `${r.pick(["One happy day", "One sunny morning", "On a cold morning"])}, ${kid.line}.`,
      fact(r, "tobCake"),
      r.pick([`The cake was big and round and purple inside.`, `Tob put the plum cake on a big white plate.`]),
      `Everyone came to the party, and Pip came too.`,
      r.pick([
        `Pip was so excited that he sneezed, and bubbles floated over the cake.`,
        `Mira sang a birthday song, and everyone sang with her.`,
        `Bim rang from the clock tower, as if it was saying happy birthday.`,
      ]),
      `${kid.name} said, "This is the best birthday ever!"`,
    ];
  },
  // Grandpa Oz winds the clock on Sunday.
  (r) => {
    const kid = r.pick([MIRA, BO]);
    return [
      `It was Sunday in Maple Hill.`,
      fact(r, "towerKeeper"),
      fact(r, "towerSunday"),
      `This time, ${kid.name} went with him.`,
      fact(r, "towerKey"),
      r.pick([`They climbed up and up the stairs.`, `The stairs went round and round.`]),
      maybe(r, "towerOwl", 0.6),
      r.pick([
        `Grandpa Oz let ${kid.name} turn the gold key. Click, click, click!`,
        `${kid.name} held the gold key with both hands and turned it.`,
      ]),
      r.pick([`"Now the clock will run for a whole week," said Grandpa Oz.`, `The big clock began to tick again. Tick, tock!`]),
    ];
  },
  // The gold key is lost and found.
  (r) => {
    const where = r.pick([
      `Jem the goat had it in his mouth. He thought it was a hat.`,
      `It was at the bottom of the wishing well, shining in the water.`,
      `It was in Pip's cave. Pip had found it on the steps and kept it safe.`,
      `It was in the bakery, under a sack of flour, where Dot was playing with it.`,
    ]);
    return [
      `${r.pick(["One Sunday morning", "Early one Sunday"])}, Grandpa Oz could not find his gold key.`,
      `"Oh no!" he said. "I need it to wind the clock."`,
      fact(r, "towerSunday"),
      fact(r, "towerKey"),
      `Mira and Pip looked everywhere.`,
      `At last they found it. ${where}`,
      `Grandpa Oz wound the clock, and Bim rang at noon just like every day.`,
      r.pick([`"Thank you, my friends," he said.`, `Grandpa Oz gave Mira and Pip a big smile.`, null]),
    ];
  },
  // Bim rings at noon and the village stops for lunch.
  (r) => [
    `${r.pick(["It was a busy day", "It was a slow, sleepy day", "It was a hot day"])} in Maple Hill.`,
    fact(r, "towerIntro"),
    fact(r, "towerBell"),
    fact(r, "towerNoon"),
    r.pick([
      `Tob came out of the bakery with a basket of honey buns.`,
      `Nell put down her tulips and took out her lunch.`,
      `Miss Lu put down her chalk and let the children eat.`,
    ]),
    r.pick([`Pip came down the hill to eat a pear.`, `Kip tied Bean to the bridge and ate bread and cheese.`, `Jem the goat ate some grass, and then a hat.`]),
    r.pick([`Everyone was happy when Bim rang.`, `Lunch in Maple Hill was always nice.`]),
  ],
  // The clock stops and the children help.
  (r) => {
    const kid = r.pick([MIRA, BO]);
    return [
      `One day, it was noon, but Bim did not ring.`,
      `${kid.name} looked up at the clock tower. The hands of the clock did not move.`,
      `"The clock has stopped!" ${kid.he} said.`,
      r.pick([`Grandpa Oz had a bad cold and had stayed in bed on Sunday.`, `Grandpa Oz had gone to see his sister, and no one had wound the clock.`]),
      `${kid.name} ran to get the gold key from Grandpa Oz.`,
      maybe(r, "towerKey", 0.7),
      r.pick([
        `Pip flew ${kid.him} up to the top, and ${kid.he} wound the clock.`,
        `${kid.name} and Nell climbed the tower and wound the clock together.`,
      ]),
      `Ding, dong! Bim rang, and everyone cheered.`,
    ];
  },
  // A boat ride with Kip.
  (r) => {
    const kid = r.pick([MIRA, BO]);
    return [
      `${r.pick(WHEN)}, ${kid.name} wanted to go across the river.`,
      fact(r, "riverIntro"),
      fact(r, "kipBoat"),
      `"Hop in," said Kip. ${maybe(r, "kipBeard", 1) ?? ""}`.trim(),
      r.pick([`Kip rowed slowly, and the boat went splash, splash.`, `The little boat rocked on the water.`]),
      r.pick([
        `${kid.name} put ${kid.his} hand in the water. "So cold!" ${kid.he} said.`,
        `${kid.name} saw little silver fish under the boat.`,
        `A silver fish jumped out of the water and went plop.`,
      ]),
      maybe(r, "riverFish", 0.6),
      r.pick([`On the other side, ${kid.name} said, "Thank you, Kip!"`, `It was the best boat ride ever.`]),
    ];
  },
  // Fishing, and letting the fish go.
  (r) => {
    const kid = r.pick([MIRA, BO]);
    return [
      `${r.pick(WHEN)}, Kip took ${kid.name} fishing in his boat.`,
      maybe(r, "kipBoat", 0.6),
      fact(r, "riverFish"),
      `${kid.name} waited and waited. Then, tug! ${cap(kid.he)} caught a little silver fish.`,
      `The fish looked at ${kid.name} with big round eyes.`,
      r.pick([
        `"You can go home," ${kid.name} said, and ${kid.he} put the fish back in the cold water.`,
        `${kid.name} felt sorry for the fish, so ${kid.he} let it go.`,
      ]),
      r.pick([`Kip smiled. "That was kind," he said.`, `Kip nodded and stroked his grey beard.`]),
    ];
  },
  // Jem eats a hat.
  (r) => {
    const hat = r.pick([
      { owner: "Mira", thing: "Mira's red hat", end: `Nell made Mira a new red hat, just like the old one.` },
      { owner: "Kip", thing: "Kip's old straw hat", end: `Kip laughed and said, "I never liked that hat anyway."` },
      { owner: "Miss Lu", thing: "Miss Lu's blue sun hat", end: `Miss Lu wore a scarf instead, and it looked very nice.` },
      { owner: "Tob", thing: "Tob's baker hat", end: `Tob gave Jem a honey bun so he would leave the other hats alone.` },
    ]);
    return [
      `${r.pick(WHEN)}, ${hat.owner} walked over the stone bridge.`,
      maybe(r, "riverBridge", 0.5),
      fact(r, "jemIntro"),
      fact(r, "jemHats"),
      `Jem saw ${hat.thing} and ran after it.`,
      `Chomp! Jem ate the hat.`,
      r.pick([`"Jem, no!" cried ${hat.owner}.`, `${hat.owner} could not believe it.`]),
      hat.end,
    ];
  },
  // Jem sits in the middle of the bridge.
  (r) => [
    `${r.pick(WHEN)}, Jem the goat sat down in the middle of the stone bridge.`,
    fact(r, "jemIntro"),
    maybe(r, "riverBridge", 0.7),
    `No one could get over the river.`,
    r.pick([`Tob pushed, and Nell pulled, but Jem would not move.`, `People asked him nicely, but Jem just chewed.`]),
    r.pick([
      `Then Bo had an idea. He held up his old hat, and Jem jumped up to get it.`,
      `Then Mira sang a song, and Jem stood up to listen.`,
      `Then Pip sneezed, and a big bubble popped on Jem's nose. Jem ran off the bridge.`,
    ]),
    `At last, everyone could cross the bridge again.`,
  ],
  // Bo's kite gets stuck and Pip flies up for it.
  (r) => {
    const where = r.pick(["in the big maple tree", "on top of the clock tower", "on the roof of the school"]);
    return [
      `${r.pick(["One windy day", "One windy afternoon", "On a windy morning"])}, Bo went out to fly his kite.`,
      fact(r, "boKite"),
      `The wind blew hard, and the kite got stuck ${where}.`,
      `Bo began to cry.`,
      `Pip saw him and flapped his small wings.`,
      maybe(r, "pipFly", 0.7),
      `He flew up and brought the yellow kite back down.`,
      r.pick([`"Thank you, Pip!" said Bo.`, `Bo hugged Pip, and they flew the kite together.`]),
    ];
  },
  // Market day in the square.
  (r) => [
    `${r.pick(["It was Saturday", "It was a sunny Saturday", "It was a busy Saturday"])}, and the square was full of people.`,
    fact(r, "marketDay"),
    fact(r, "nellMarket"),
    r.pick([`Tob sold honey buns from a big basket.`, `Kip sold fish from the Fern River.`, `A man sold pears, and Pip bought ten.`]),
    r.pick([
      `Mira sang songs next to her mom, and people gave her flowers.`,
      `Bo helped his mom count the tulips.`,
      `Jem the goat came to the market and ate a lady's hat.`,
    ]),
    maybe(r, "towerNoon", 0.5),
    r.pick([`It was a happy day in Maple Hill.`, `At the end of the day, Nell had sold every tulip.`]),
  ],
  // Miss Lu's class counts things in the village.
  (r) => {
    const what = r.pick([
      { thing: "the steps up to Pip's cave", n: "one hundred", out: "At the top, Pip was waiting with a pear for each child." },
      { thing: "the arches of the stone bridge", n: "three", out: "Then they watched the silver fish in the cold water." },
      { thing: "the honey buns in Tob's bakery", n: "ten", out: "Tob let each child eat half a bun." },
      { thing: "the times Bim rang at noon", n: "twelve", out: "Tuk the owl hooted as if he was counting too." },
    ]);
    return [
      maybe(r, "schoolRoof", 0.6),
      fact(r, "luIntro"),
      `${r.pick(WHEN)}, Miss Lu said, "Today we will count ${what.thing}."`,
      `The children walked out of school in a line.`,
      `They counted out loud together.`,
      `There were ${what.n}!`,
      what.out,
    ];
  },
  // Miss Lu plays the flute by the river and Pip dances.
  (r) => [
    `${r.pick(["One summer evening", "One quiet evening", "One warm evening"])}, Miss Lu sat by the Fern River.`,
    fact(r, "luFlute"),
    `The music was soft and sweet.`,
    r.pick([`Pip heard it from his cave and came down the hill.`, `Pip was walking by, and he stopped to listen.`]),
    `Pip began to dance. He spun and jumped and wiggled his tail.`,
    r.pick([`Mira and Bo danced too.`, `Kip clapped from his boat.`, `Even Jem the goat danced.`]),
    r.pick([`Then Pip sneezed, and bubbles floated over the water.`, `It was a happy night.`]),
  ],
  // A wish at the wishing well.
  (r) => {
    const kid = r.pick([MIRA, BO]);
    const wish = r.pick([
      { want: "for a sunny day on Bubble Day", got: "The next day, the sun was shining." },
      { want: "for a new friend", got: "The next day, a new family came to live in Maple Hill, and they had a little girl." },
      { want: "that Pip would not be afraid of thunder", got: "That night there was a storm, and Pip was a little less afraid." },
      { want: "for a honey bun", got: "Just then, Tob walked by and gave a honey bun to each child." },
    ]);
    return [
      fact(r, "well"),
      `${r.pick(WHEN)}, ${kid.name} found a small button in ${kid.his} pocket.`,
      `${cap(kid.he)} dropped the button into the well. Plop!`,
      `${kid.name} wished ${wish.want}.`,
      wish.got,
      r.pick([`${kid.name} smiled. The wishing well had worked.`, `"The well heard me," ${kid.he} said.`]),
    ];
  },
  // Bubble Day.
  (r) => [
    fact(r, "bubbleDay"),
    `This year, ${r.pick(["the sun was warm", "the sky was blue", "there was a soft wind"])}, and everyone went to the Fern River.`,
    `Pip stood on the stone bridge and took a deep breath.`,
    maybe(r, "riverBridge", 0.6),
    r.pick([`He blew and blew, and a hundred bubbles floated over the river.`, `Out came bubbles of every size, big and small.`]),
    r.pick([`The children ran after the bubbles and popped them.`, `Bo tried to catch one in his hat.`]),
    r.pick([`Tob gave everyone honey buns.`, `Miss Lu played her flute, and Mira sang.`, `Kip rowed Bean under the bridge so the bubbles floated all around him.`]),
    r.pick([`It was the best Bubble Day ever.`, `Everyone said Bubble Day was the best day of spring.`]),
  ],
  // Leaf Day.
  (r) => [
    fact(r, "leafDay"),
    fact(r, "treeRed"),
    `The children ran up the hill to the big maple tree.`,
    fact(r, "treeIntro"),
    r.pick([`They picked up the red leaves and made crowns.`, `Mira made a crown for herself and one for Bo.`]),
    r.pick([`Pip wanted a crown too, so Mira made him a very big one.`, `They made a crown for Pip, and he wore it all day.`]),
    r.pick([`Then Pip sneezed, and the leaves and bubbles flew everywhere.`, `Grandpa Oz said Pip looked like a king.`]),
  ],
  // Winter: Pip warms the children's hands.
  (r) => [
    r.pick([`One cold winter morning, snow covered the village.`, `It was winter in Maple Hill, and the snow was deep.`, `One snowy day, the whole village was white.`]),
    `The children played in the snow until their hands were cold.`,
    fact(r, "pipWarm"),
    `"Hold out your hands," said Pip, and he blew on them softly.`,
    r.pick([`Soon their hands were warm again.`, `The children giggled. It felt like a warm summer wind.`]),
    r.pick([`Then they all went to the bakery for hot honey buns.`, `Then they made a snow dragon that looked just like Pip.`]),
  ],
  // Tuk the owl at night.
  (r) => [
    fact(r, "towerOwl"),
    `Tuk slept all day and woke up when the moon came out.`,
    r.pick([`"Hoo, hoo," Tuk said to the stars.`, `At night, Tuk flew over the roofs of Maple Hill.`]),
    r.pick([
      `One night, Tuk saw that Bo was lost by the river. He hooted until Grandpa Oz came with a lamp.`,
      `One night, Tuk saw Dot the cat stuck in a tree. He hooted until Tob came with a ladder.`,
      `One night, Tuk saw Jem the goat walking away from the bridge. He hooted until Kip brought Jem back.`,
    ]),
    r.pick([`"Good owl, Tuk," everyone said the next day.`, `From then on, everyone was glad that Tuk watched over Maple Hill.`]),
  ],
  // Pip tries to fly high.
  (r) => [
    fact(r, "pipIntro"),
    `${r.pick(WHEN)}, Pip saw a bird flying high in the sky.`,
    `"I want to fly that high too," said Pip.`,
    `He flapped and flapped his wings.`,
    fact(r, "pipFly"),
    r.pick([`Pip sat on the clock tower and felt sad.`, `Pip was tired, so he sat down next to Bim the bell.`]),
    r.pick([
      `Tuk the owl said, "You do not need to fly high. You make bubbles, and no bird can do that."`,
      `Mira called up to him, "Pip, you are the best dragon, high or low!"`,
    ]),
    `Pip smiled and felt happy again.`,
  ],
  // Mira sings to Pip at night.
  (r) => [
    fact(r, "miraIntro"),
    fact(r, "miraSing"),
    `${r.pick(["One night", "One evening", "One starry night"])}, Pip could not sleep.`,
    `Mira climbed the hundred steps to his cave.`,
    maybe(r, "pipCave", 0.6),
    r.pick([`She sang a song about the moon.`, `She sang a song about the Fern River and the silver fish.`, `She sang a song about the big maple tree.`]),
    `Pip closed his eyes and yawned.`,
    r.pick([`Soon he was fast asleep.`, `Soon a little bubble came out of his nose as he slept.`]),
  ],
  // Nell's tulips and the goat.
  (r) => [
    fact(r, "nellIntro"),
    `${r.pick(WHEN)}, Jem the goat came into Nell's garden.`,
    maybe(r, "jemIntro", 0.6),
    maybe(r, "jemHats", 0.5),
    `Jem looked at the tulips and licked his lips.`,
    r.pick([`Bo saw him and shouted, "No, Jem! Those are for the market!"`, `Mira put her red hat on a stick and waved it at Jem.`]),
    r.pick([`Jem ran after the hat and left the tulips alone.`, `Jem ran back to the bridge.`]),
    `On Saturday, Nell sold every tulip at the market.`,
  ],
  // A rainy day in the bakery.
  (r) => [
    `${r.pick(["One rainy day", "It was raining in Maple Hill", "On a wet, grey morning"])}, the children could not play outside.`,
    `They ran to the bakery with the blue door.`,
    fact(r, "tobIntro"),
    fact(r, "tobApron"),
    r.pick([`Tob gave each of them a warm honey bun.`, `Tob let them help him make the honey buns.`]),
    fact(r, "dotSacks"),
    r.pick([`Tob told them a story about the first Bubble Day.`, `They watched the rain and ate their buns.`]),
    r.pick([`It was the best rainy day ever.`, `When the rain stopped, Bo said, "Can we come back tomorrow?"`]),
  ],
  // Kip's beard.
  (r) => [
    fact(r, "kipIntro"),
    fact(r, "kipBeard"),
    fact(r, "boIntro"),
    `${r.pick(WHEN)}, Bo asked, "Kip, why is your beard so long?"`,
    r.pick([
      `Kip laughed. "I have not cut it since I was a young man," he said.`,
      `Kip smiled. "It keeps my chin warm on the cold river," he said.`,
    ]),
    r.pick([`Just then, a little bird landed on Kip's beard.`, `Bo laughed and touched the beard. It was soft.`]),
    r.pick([`Then Kip took Bo for a ride in Bean.`, `Then they sat in Bean and watched the silver fish.`]),
  ],
  // A visitor is shown around Maple Hill.
  (r) => {
    const visitor = r.pick(["a boy named Tim", "a girl named Lily", "an old man with a big bag", "a lady with a little dog"]);
    return [
      `${r.pick(WHEN)}, ${visitor} came to Maple Hill.`,
      `Mira showed the new visitor around the village.`,
      fact(r, r.pick(["treeIntro", "towerIntro"] as const)),
      fact(r, r.pick(["towerBell", "tobDoor", "schoolRoof"] as const)),
      fact(r, r.pick(["riverBridge", "kipBoat", "riverCold"] as const)),
      `Then they climbed the hill to meet Pip.`,
      fact(r, r.pick(["pipBubbles", "pipPears", "pipIntro"] as const)),
      r.pick([`The visitor said, "What a wonderful place!"`, `The visitor did not want to go home.`]),
    ];
  },
  // Pip is sick.
  (r) => [
    `${r.pick(WHEN)}, Pip did not come down the hill.`,
    fact(r, "pipCave"),
    `Mira climbed the hundred steps and found him in his cave.`,
    `Pip was sick. His nose was red, and he sneezed and sneezed.`,
    r.chance(0.5) ? `Every sneeze filled the cave with bubbles.` : fact(r, "pipBubbles"),
    r.pick([
      `Mira ran down and came back with pears and a warm honey bun from Tob. Pears were Pip's favorite food.`,
      `Nell made Pip a hot soup, and Mira brought him his favorite pears.`,
    ]),
    r.pick([`In two days, Pip was well again.`, `Soon Pip felt much better.`]),
    maybe(r, "pipFriend", 0.5),
  ],
  // Kip paints his boat.
  (r) => [
    fact(r, "kipBoat"),
    `${r.pick(WHEN)}, Kip saw that the paint on Bean was old.`,
    `"Bean needs new paint," said Kip.`,
    r.pick([`Bo and Mira helped him paint.`, `Pip came to help, but he got paint on his tail.`]),
    `They painted the boat orange, just like before.`,
    r.pick([`"Now Bean is the prettiest boat on the Fern River," said Kip.`, `When the paint was dry, Kip took everyone for a ride.`]),
  ],
  // No button for the well.
  (r) => [
    `${r.pick(WHEN)}, Bo wanted to make a wish.`,
    fact(r, "well"),
    `But Bo had no button.`,
    r.pick([
      `Nell took a button off her old coat and gave it to him.`,
      `Tob found a button on the bakery floor and gave it to him.`,
      `Miss Lu had a box of buttons at school, and she gave him one.`,
    ]),
    `Bo dropped the button into the well and made his wish.`,
    r.pick([`He wished that Pip could come to dinner. And that night, Pip did!`, `He did not tell anyone what he wished for.`]),
  ],
  // The view from the clock tower.
  (r) => [
    `${r.pick(WHEN)}, Grandpa Oz took Mira to the top of the clock tower.`,
    maybe(r, "towerBell", 0.5),
    `From the top, Mira could see the whole village.`,
    maybe(r, "miraAge", 0.7),
    `She saw the Fern River and the stone bridge with three arches.`,
    r.pick([`She saw the green roof of the school.`, `She saw the blue door of the bakery.`]),
    `Far up the hill, she saw the big maple tree and Pip's cave.`,
    r.pick([`Pip waved his tail at her.`, `"Maple Hill is so pretty," said Mira.`]),
  ],
  // Bo wants to swim.
  (r) => [
    `${r.pick(["One hot summer day", "One very hot day", "On a sunny summer day"])}, Bo wanted to swim in the Fern River.`,
    fact(r, "boIntro"),
    `He put one toe in the water.`,
    `"Brr! It is too cold!" said Bo.`,
    fact(r, "riverCold"),
    r.pick([`So Kip took Bo for a ride in Bean instead.`, `So Pip blew bubbles for Bo to chase on the grass instead.`]),
    r.pick([`Bo was happy and dry.`, `Bo said it was even better than swimming.`]),
  ],
  // Pip takes a bath in the river.
  (r) => [
    `${r.pick(WHEN)}, Pip was very dirty from playing in the mud.`,
    `"You need a bath," said Mira.`,
    fact(r, "riverIntro"),
    `Pip jumped into the Fern River. Splash!`,
    `The water was so cold that Pip began to sneeze.`,
    `Bubbles came out of his nose and floated down the river.`,
    r.pick([`Kip laughed from his boat.`, `The silver fish swam up to look at the bubbles.`]),
    maybe(r, "riverFish", 0.6),
    r.pick([`Then Pip lay in the sun until he was dry and warm.`, `After the bath, Pip was clean and green again.`]),
  ],
  // Mira's red hat blows away.
  (r) => [
    fact(r, "miraIntro"),
    fact(r, "miraAge"),
    `${r.pick(["One windy day", "One windy morning"])}, the wind took Mira's hat off her head.`,
    `The red hat flew over the square and over the river.`,
    r.pick([`Jem the goat saw it and ran after it.`, `It flew toward the big maple tree.`]),
    `Pip flapped his wings and caught the hat just in time.`,
    `"Thank you, Pip," said Mira, and she put her red hat back on.`,
    maybe(r, "pipFriend", 0.5),
  ],
  // Pip counts the steps.
  (r) => [
    fact(r, "pipCave"),
    fact(r, "pipSteps"),
    `${r.pick(WHEN)}, Pip wanted to count them all by himself.`,
    `"One, two, three..." said Pip as he went down.`,
    r.pick([`He lost count at fifty and had to start again.`, `He stopped to eat a pear at step forty.`]),
    `At last, he said, "One hundred!"`,
    `Mira was waiting at the bottom. "Good counting, Pip!" she said.`,
  ],
  // Miss Lu's class visits the bakery.
  (r) => [
    `${r.pick(WHEN)}, Miss Lu took the children to the bakery.`,
    maybe(r, "tobDoor", 0.6),
    `Tob showed them how to make honey buns.`,
    fact(r, "tobBuns"),
    r.pick([`"First the flour, then the honey," said Tob.`, `They put honey in each bun with a little spoon.`]),
    fact(r, "dotIntro"),
    r.pick([`Dot watched them from the flour sacks.`, `Dot jumped on the table and got flour on her nose.`]),
    r.pick([`Then they all ate warm buns.`, `The children said it was the best school day ever.`]),
  ],
  // Dot and Tuk are friends.
  (r) => [
    fact(r, "dotIntro"),
    fact(r, "towerOwl"),
    `Dot and Tuk were good friends.`,
    r.pick([`At night, Dot climbed the clock tower to visit Tuk.`, `In the evening, Tuk flew down to the bakery to visit Dot.`]),
    r.pick([`They sat together and looked at the moon.`, `They shared a honey bun that Tob had left out.`]),
    r.pick([`When Bim rang, Dot jumped, and Tuk laughed, "Hoo, hoo!"`, `In the morning, Dot went back to sleep on the flour sacks.`]),
  ],
  // Grandpa Oz oversleeps and Bim rings late.
  (r) => [
    fact(r, "towerKeeper"),
    `${r.pick(["One morning", "One Sunday"])}, Grandpa Oz slept too long.`,
    `He woke up, saw the sun high in the sky, and jumped out of bed.`,
    `"Is it noon yet?" he said.`,
    r.pick([`He ran up the tower, but Tuk had already pulled the rope. Bim rang just in time.`, `He got to the top just as Bim rang at noon. Ding, dong!`]),
    r.pick([`Grandpa Oz laughed and sat down to rest.`, `From then on, Grandpa Oz went to bed early.`]),
  ],
  // Mira's house next to the bakery.
  (r) => [
    fact(r, "miraHouse"),
    fact(r, "miraFamily"),
    `${r.pick(["One sunny morning", "Early one morning", "One cold morning"])}, Mira woke up and smelled honey buns.`,
    `She ran next door in her red hat.`,
    `"Good morning, Tob!" she said.`,
    r.pick([`Tob gave her a warm bun, and she shared it with Bo.`, `Tob let her help carry the buns to the window.`]),
    r.pick([`It was the best way to start the day.`, `Then she sang all the way home.`]),
  ],
  // The story of the village name.
  (r) => [
    `${r.pick(WHEN)}, Bo asked Grandpa Oz, "Why is our village called Maple Hill?"`,
    `Grandpa Oz pointed up the hill.`,
    fact(r, "treeIntro"),
    r.pick([`"That tree is older than me," said Grandpa Oz.`, `"That tree was here before the clock tower," said Grandpa Oz.`]),
    fact(r, "treeRed"),
    r.pick([`Bo looked at the tree for a long time.`, `Bo decided to visit the tree every day.`]),
  ],
  // Pip helps Tob carry flour.
  (r) => [
    fact(r, "tobIntro"),
    `${r.pick(WHEN)}, Tob had too many flour sacks to carry.`,
    `Pip came down the hill to help.`,
    fact(r, "pipIntro"),
    `He carried two sacks on his back to the bakery.`,
    r.pick([`But the flour made Pip sneeze, and bubbles filled the bakery!`, `Dot jumped on the sacks at once and went to sleep.`]),
    r.pick([`Tob gave Pip a basket of pears to say thank you.`, `Tob laughed and gave Pip a honey bun.`]),
  ],
  // Miss Lu's flute breaks and a friend fixes it.
  (r) => [
    fact(r, "luIntro"),
    fact(r, "luFlute"),
    `${r.pick(WHEN)}, the flute broke.`,
    `Miss Lu was very sad.`,
    r.pick([`Kip fixed it with a little piece of wood from his boat.`, `Grandpa Oz fixed it with his tools from the clock tower.`]),
    `Miss Lu played a song to say thank you, and everyone danced.`,
  ],
  // Little Pip's first Bubble Day.
  (r) => [
    `When Pip was a very young dragon, he was sad that he could not make fire.`,
    `"Real dragons make fire," he said. "I only make bubbles."`,
    r.pick([`Mira took his paw and said, "Bubbles are better. Fire is hot, but bubbles are fun."`, `Grandpa Oz said, "Then let us have a day for your bubbles."`]),
    `That spring, Pip blew bubbles over the Fern River, and the whole village came to see.`,
    r.pick([`The children laughed and chased the bubbles all day.`, `Even Kip stopped his boat to watch.`]),
    `That was the very first Bubble Day, and now Maple Hill has one every spring.`,
  ],
  // Tob runs out of honey.
  (r) => [
    `${r.pick(WHEN)}, Tob looked in his honey jar. It was empty!`,
    `"How can I bake honey buns with no honey?" said Tob.`,
    fact(r, "tobBuns"),
    `Mira and Pip went up the hill, where bees lived near the big maple tree.`,
    r.pick([`Mira sang to the bees, and they were calm.`, `Pip blew soft bubbles, and the bees flew after them.`]),
    `The bees let them take a little honey.`,
    r.pick([`The next morning, Tob baked ten honey buns, and the first one was for Pip.`, `Tob was so happy that he gave them the first two buns.`]),
  ],
  // Bo learns to count with honey buns.
  (r) => [
    fact(r, "boIntro"),
    `${r.pick(WHEN)}, Bo went to the bakery to learn to count.`,
    `Tob put the honey buns on the table, one by one.`,
    `"One, two, three," said Bo, and he kept going until he got to ten.`,
    r.chance(0.5) ? `"Yes! I bake ten every morning," said Tob.` : fact(r, "tobBuns"),
    r.pick([`Then Bo ate one, and there were nine.`, `Dot jumped up and sat on the table, and Bo counted her too.`]),
  ],
  // Rain at the market: Pip's wings make a roof.
  (r) => [
    `${r.pick(["It was Saturday", "One Saturday"])}, and Nell was selling tulips at the market.`,
    `Then dark clouds came, and it began to rain.`,
    maybe(r, "marketDay", 0.6),
    fact(r, "nellIntro"),
    `"Oh no! My tulips!" said Nell.`,
    `Pip came down the hill and opened his wings over the tulips like a roof.`,
    `The rain went tap, tap, tap on Pip's wings.`,
    fact(r, "pipThunder"),
    r.pick([`When the rain stopped, Nell gave Pip a pink tulip.`, `Nell gave Pip two pears to say thank you.`]),
  ],
  // Bean floats away at night.
  (r) => [
    `${r.pick(["One night", "One windy night"])}, Kip forgot to tie his boat to the bridge.`,
    `Bean floated away down the Fern River.`,
    `Tuk the owl saw it from the clock tower and hooted loudly.`,
    r.pick([`Pip woke up and flew down to the river.`, `Pip heard Tuk and ran down the hundred steps.`]),
    `He took the rope in his mouth and pulled the little orange boat back.`,
    r.pick([`In the morning, Kip found Bean tied to the bridge, safe and sound.`, `Kip thanked Pip and Tuk with fresh fish and a pear.`]),
  ],
  // Drawing in Miss Lu's class.
  (r) => [
    `${r.pick(WHEN)}, Miss Lu said, "Today we will draw Maple Hill."`,
    r.pick([`Mira drew the big maple tree with red leaves.`, `Mira drew the clock tower and Bim the bell.`]),
    r.pick([`Bo drew Pip. He used his green pencil for Pip and a blue one for the bubbles.`, `Bo drew Kip's orange boat on the river.`]),
    `Miss Lu put the pictures on the wall of the school.`,
    maybe(r, "schoolRoof", 0.6),
    r.pick([`When Pip came to see them, he was so happy that he sneezed bubbles.`, `Everyone said they were the best pictures ever.`]),
  ],
  // Mira loses her voice.
  (r) => [
    fact(r, "miraSing"),
    fact(r, "miraAge"),
    `${r.pick(["One morning", "One cold morning", "One rainy morning"])}, Mira woke up and could not sing. Her voice was gone.`,
    `She went to the bakery, and Tob gave her warm milk with honey.`,
    fact(r, "miraHouse"),
    r.pick([`"Honey is good for a sore throat," said Tob.`, `"Drink it slowly," said Tob.`]),
    `The next day, Mira could sing again.`,
    r.pick([`She sang her first song for Tob.`, `She ran up the hill to sing for Pip.`]),
  ],
  // Jem follows Bo to school.
  (r) => [
    `${r.pick(WHEN)}, Jem the goat followed Bo to school.`,
    fact(r, "jemHats"),
    `"Goats do not go to school," said Bo, but Jem came in anyway.`,
    fact(r, "luIntro"),
    r.pick([`Miss Lu laughed and let Jem sit in the back.`, `Miss Lu said Jem could stay if he was good.`]),
    `But Jem saw Miss Lu's hat on the desk.`,
    r.pick([`Chomp! The hat was gone.`, `Before anyone could stop him, Jem ate the hat.`]),
    r.pick([`After that, Jem had to stay by the bridge.`, `"Now I know why goats do not go to school," said Miss Lu.`]),
  ],
  // Dot chases bubbles.
  (r) => [
    fact(r, "dotIntro"),
    `${r.pick(WHEN)}, Pip came into the bakery and sneezed.`,
    `Bubbles floated all over the room.`,
    fact(r, "pipBubbles"),
    `Dot jumped off the flour sacks to catch them.`,
    r.pick([`Pop! Pop! Every bubble she touched was gone.`, `She jumped so high that she landed in the bread basket.`]),
    r.pick([`Tob laughed until he had to sit down.`, `After that, Dot always ran to the door when Pip came.`]),
  ],
  // Grandpa Oz teaches Bo to read the clock.
  (r) => [
    fact(r, "towerKeeper"),
    `${r.pick(WHEN)}, Grandpa Oz taught Bo how to read the big clock.`,
    `"The short hand is for the hour, and the long hand is for the minutes," he said.`,
    r.pick([`Bo looked up and said, "It is almost noon!"`, `Bo looked and looked, and then he said, "Soon it will be noon."`]),
    `Just then, Bim rang. Ding, dong!`,
    fact(r, "towerNoon"),
    `"You are right," said Grandpa Oz. "Noon is when Bim rings."`,
  ],
  // Fog: Bim's sound leads people home.
  (r) => [
    `${r.pick(["One grey morning", "One cold morning"])}, a thick fog came over Maple Hill.`,
    `No one could see the houses or the river.`,
    fact(r, "kipIntro"),
    `Kip was in his boat, and he could not find the bridge.`,
    `Grandpa Oz rang Bim again and again.`,
    maybe(r, "towerIntro", 0.7),
    r.pick([`Kip rowed toward the sound of the bell and came home safe.`, `Kip followed the sound and found the stone bridge.`]),
    r.pick([`"Thank you, Bim," said Kip.`, `That night, Kip brought Grandpa Oz a fish for dinner.`]),
  ],
  // Pip's birthday.
  (r) => [
    `${r.pick(WHEN)}, it was Pip's birthday.`,
    fact(r, "tobCake"),
    r.pick([`This time Tob put pears on top of the plum cake, because Pip loved pears.`, `Tob made the biggest plum cake he had ever made.`]),
    `Everyone climbed the hundred steps to Pip's cave for the party.`,
    fact(r, "pipCave"),
    r.pick([`Mira sang, and Miss Lu played the flute.`, `Bo gave Pip a drawing of the clock tower.`]),
    `When Pip tried to blow out the candles, only bubbles came out, and everyone laughed.`,
  ],
  // A ball in the river.
  (r) => {
    const kid = r.pick([MIRA, BO]);
    return [
      `${r.pick(WHEN)}, ${kid.name} was playing ball by the Fern River.`,
      `The ball rolled into the water and began to float away.`,
      fact(r, "riverCold"),
      `"My ball!" cried ${kid.name}.`,
      fact(r, "kipIntro"),
      `Kip saw it from his boat, Bean.`,
      r.pick([`He rowed fast and picked the ball out of the cold water.`, `He held out his oar and pulled the ball back.`]),
      `${kid.name} said thank you and gave Kip a big hug.`,
    ];
  },
  // Buying pears for Pip at the market.
  (r) => [
    `${r.pick(["One Saturday", "On Saturday morning"])}, Mira and Bo went to the market with their mom.`,
    fact(r, "miraFamily"),
    maybe(r, "marketDay", 0.6),
    fact(r, "nellMarket"),
    `The children looked for pears.`,
    `"These are for Pip," said Mira, and she picked the best ones.`,
    fact(r, "pipPears"),
    r.pick([`Bo carried the bag all the way up the hundred steps.`, `They carried the pears up the hill together.`]),
    r.pick([`Pip ate them all and said, "Saturday is my favorite day!"`, `Pip was so happy that he sneezed bubbles all over them.`]),
  ],
  // Grandpa Oz cleans Bim.
  (r) => [
    fact(r, "towerBell"),
    `${r.pick(WHEN)}, Grandpa Oz saw that Bim was dusty.`,
    maybe(r, "towerIntro", 0.7),
    `He climbed up with a bucket and a soft cloth.`,
    r.pick([`Mira came to help him, and she sang while they worked.`, `Tuk the owl watched from his corner.`]),
    `They cleaned the bell until it was shiny.`,
    fact(r, "towerNoon"),
    `At noon, Bim rang louder and clearer than ever.`,
  ],
  // Tob's oven is cold and Pip keeps the dough warm.
  (r) => [
    `${r.pick(["One cold morning", "One winter morning"])}, Tob's oven would not get hot.`,
    `"My dough needs to be warm," said Tob sadly.`,
    `Pip came down the hill and blew his warm breath on the dough.`,
    maybe(r, "pipWarm", 0.6),
    `The dough grew soft and big.`,
    r.pick([`Then Kip fixed the oven, and Tob baked ten honey buns after all.`, `By noon the oven was fixed, and the buns were ready.`]),
  ],
  // Stars from Pip's cave.
  (r) => [
    `${r.pick(["One clear night", "One summer night"])}, Mira and Bo climbed up to Pip's cave.`,
    maybe(r, "pipCave", 0.6),
    `They lay on the grass by the big maple tree and looked at the stars.`,
    maybe(r, "treeIntro", 0.6),
    r.pick([`Tuk flew by and hooted, "Hoo, hoo."`, `Far below, they could see the clock tower in the moonlight.`]),
    r.pick([`Bo said, "That star looks like a pear!"`, `Mira sang a quiet song about the stars.`]),
    `Soon all three of them were asleep.`,
  ],
  // A bird with a hurt wing.
  (r) => [
    `${r.pick(WHEN)}, Mira found a little bird with a hurt wing.`,
    `She took it home and made it a bed in a box.`,
    `Every day she gave it water and seeds.`,
    r.pick([`Tuk the owl came to visit it at night.`, `Bo helped by singing to it, but not very well.`]),
    `After a week, the bird could fly again.`,
    r.pick([`It flew up to the clock tower and sat next to Bim.`, `It flew around Mira's red hat three times and then went away.`]),
  ],
  // Kite day on the hill.
  (r) => [
    `${r.pick(["One windy day", "On a windy Saturday"])}, all the children took their kites up the hill.`,
    fact(r, "boKite"),
    `The kites went up and danced in the wind.`,
    r.pick([`Bo's yellow kite flew higher than all the rest.`, `Bo's yellow kite flew almost as high as the maple tree.`]),
    r.pick([`Pip flew up next to the kites, but not too high.`, `Pip held the string for Bo when his arms got tired.`]),
    fact(r, "pipFly"),
    `It was a very good day for kites.`,
  ],
  // Sledding down the hill.
  (r) => [
    `${r.pick(["One snowy morning", "One winter day"])}, the hundred steps to Pip's cave were covered in snow.`,
    `"Let us go sledding!" said Bo.`,
    `The children rode their sleds down from the cave, fast as the wind.`,
    r.pick([`Pip slid down on his tummy and laughed.`, `Pip tried too, but he went into a pile of snow.`]),
    `When their hands were cold, Pip came to help.`,
    fact(r, "pipWarm"),
  ],
  // Mira teaches Pip to sing.
  (r) => [
    fact(r, "pipFriend"),
    `${r.pick(WHEN)}, Pip asked Mira, "Can you teach me to sing?"`,
    `"Of course," said Mira. "Open your mouth and say la, la, la."`,
    `Pip opened his mouth, but only bubbles came out.`,
    fact(r, "pipBubbles"),
    r.pick([`They tried again and again, and Pip sang a little better each time.`, `Mira laughed. "That is a bubble song!" she said.`]),
    r.pick([`Now every time Mira sings, Pip sings along with bubbles.`, `From then on, they sang together every evening.`]),
  ],
  // A picnic by the bridge.
  (r) => [
    `${r.pick(WHEN)}, Nell took Mira and Bo for a picnic by the stone bridge.`,
    fact(r, "miraFamily"),
    `They sat on a blanket and ate bread, cheese, and pears.`,
    maybe(r, "riverBridge", 0.6),
    `Then Jem the goat came out from under the bridge.`,
    fact(r, "jemIntro"),
    r.pick([`He did not want the bread. He wanted Nell's hat!`, `He walked past the food and ate Bo's sun hat.`]),
    r.pick([`Everyone laughed, even Nell.`, `"Jem, you are a silly goat," said Mira.`]),
  ],
  // Flute lesson.
  (r) => [
    `${r.pick(WHEN)}, Miss Lu gave Mira her first flute lesson.`,
    `"Put your fingers here, and blow softly," said Miss Lu.`,
    `The first sound was a squeak, like a mouse.`,
    `Mira tried again and again.`,
    r.pick([`Soon she could play a short song about the Fern River.`, `Soon she could play the tune that Bim rings at noon.`]),
    `"You can sing and play now," said Miss Lu. "Well done!"`,
  ],
  // Kip is sick; Pip pulls Bean across.
  (r) => [
    `${r.pick(WHEN)}, Kip was sick and could not row his boat.`,
    `But people needed to cross the Fern River.`,
    maybe(r, "riverCold", 0.6),
    `Pip took the rope of the little orange boat in his mouth.`,
    `He walked along the river and pulled Bean from one side to the other.`,
    r.pick([`Everyone said, "Thank you, Pip!"`, `Mira sat in the boat and sang to make the trip fun.`]),
    r.pick([`When Kip was well again, he gave Pip a basket of pears.`, `Kip said Pip was the best helper on the river.`]),
  ],
  // Jem on Leaf Day.
  (r) => [
    fact(r, "leafDay"),
    `This year, the children made a crown for Jem the goat too.`,
    fact(r, "jemHats"),
    `They put the red leaf crown on his head.`,
    r.pick([`Jem looked very proud for a moment.`, `Jem stood still for one second.`]),
    `Then he shook his head, and the crown fell off, and he ate it.`,
    r.pick([`"Jem eats hats, and now he eats crowns too!" said Bo.`, `Everyone laughed, and they made Jem another one.`]),
  ],
  // Rain on Bubble Day.
  (r) => [
    `${r.pick(["It was Bubble Day", "Bubble Day came"])}, but it was raining.`,
    fact(r, "bubbleDay"),
    `"Can Pip still make bubbles in the rain?" asked Bo.`,
    `Everyone went to the river with coats and boots.`,
    `Pip stood on the bridge and blew.`,
    r.pick([`The bubbles floated between the raindrops and shone like stars.`, `The rain made the bubbles sparkle.`]),
    `"This is the best Bubble Day ever," said Mira, and she sang in the rain.`,
  ],
];
