package io.maskstream.synthetic;

import io.maskstream.events.Gender;
import java.awt.Color;

/**
 * What a synthetic person looks like in every photo: face geometry, colouring, hair, facial hair, signs of age,
 * accessories, clothes and the room they are photographed in. Gender and age shift the distributions of these
 * traits without deciding any of them alone (some women have short hair, some men wear earrings, some older
 * people dye their hair), so a classifier must weigh several cues, as with real photos.
 */
final class Appearance {

    enum Hair { CROP, SIDE_PART, BUZZ, RECEDING, LONG, BOB, PONYTAIL, BUN, BANGS }

    enum Beard { NONE, STUBBLE, MUSTACHE, GOATEE, FULL }

    enum Backdrop { WALL, DOOR, SHELF, OUTDOOR, BOKEH, STUDIO }

    private static final Color[] SKIN = {
        new Color(250, 224, 200), new Color(241, 206, 176), new Color(229, 189, 153), new Color(214, 168, 130),
        new Color(190, 142, 106), new Color(152, 106, 74), new Color(108, 74, 52)};
    private static final double[] SKIN_WEIGHTS = {0.12, 0.22, 0.24, 0.18, 0.12, 0.08, 0.04};
    private static final Color[] HAIR = {
        new Color(24, 21, 21), new Color(48, 34, 27), new Color(82, 58, 40), new Color(112, 72, 42),
        new Color(150, 110, 70), new Color(196, 160, 108)};
    private static final double[] HAIR_WEIGHTS = {0.40, 0.28, 0.15, 0.08, 0.06, 0.03};
    private static final Color[] IRIS = {new Color(60, 40, 28), new Color(45, 30, 22), new Color(90, 62, 38),
        new Color(70, 80, 60), new Color(60, 85, 120)};
    private static final Color[] LIPSTICK = {new Color(196, 38, 62), new Color(214, 86, 118), new Color(166, 52, 72),
        new Color(226, 120, 120), new Color(140, 40, 60)};
    private static final Color[] WALLS = {new Color(236, 232, 222), new Color(214, 220, 228), new Color(200, 210, 196),
        new Color(238, 224, 200), new Color(180, 186, 196), new Color(226, 210, 214), new Color(150, 160, 170),
        new Color(246, 246, 246), new Color(120, 110, 100), new Color(96, 120, 140)};
    private static final Color[] CLOTHES = {new Color(30, 30, 34), new Color(240, 240, 240), new Color(40, 60, 110),
        new Color(130, 30, 40), new Color(70, 110, 70), new Color(150, 150, 155), new Color(200, 170, 120),
        new Color(90, 60, 120), new Color(220, 120, 60), new Color(100, 150, 200), new Color(230, 180, 190)};

    final Gender gender;
    final int age;

    final double faceHalfWidth;
    final double jaw;
    final double chinY;
    final double crownY;
    final double jowl;
    final Color skin;

    final Hair hair;
    final Color hairColor;
    final double greyness;
    final double hairVolume;
    final double hairlineY;
    final boolean partLeft;

    final double browThickness;
    final double browArch;
    final Color browColor;
    final Color iris;
    final double eyeSpacing;
    final double eyeWidth;
    final double eyeOpen;
    final double noseWidth;
    final double noseLength;
    final double mouthWidth;
    final double lipFullness;
    final Color lipColor;
    final boolean eyeliner;
    final double blush;

    final Beard beard;
    final double wrinkles;
    final boolean ageSpots;
    final long spotSeed;

    final boolean glasses;
    final boolean roundGlasses;
    final Color glassesColor;
    final boolean earrings;
    final Color earringColor;

    final Backdrop backdrop;
    final Color wall;
    final Color wall2;
    final Color accent;
    final Color shirt;
    final Color shirt2;
    final int shirtStyle;

    Appearance(Gender gender, int age, Rng r) {
        this.gender = gender;
        this.age = age;
        boolean male = gender == Gender.MALE;
        // Age in 0..1 over the adult range; individual variation blurs the band edges.
        wrinkles = Rng.clamp01((age - 24) / 46.0 + r.gaussian(0, 0.09));
        double grey = Rng.clamp01((age - 36) / 30.0 + r.gaussian(0, 0.14));
        if (age >= 45 && r.chance(0.14)) {
            grey *= 0.15; // dyed
        }
        greyness = grey;

        faceHalfWidth = r.gaussian(male ? 100 : 94, 4.5);
        jaw = r.gaussian(male ? 0.80 : 0.68, 0.06);
        chinY = r.gaussian(male ? 134 : 127, 5);
        crownY = r.gaussian(-148, 5);
        jowl = wrinkles * r.uniform(4, 12);
        Color base = SKIN[r.weighted(SKIN_WEIGHTS)];
        Color s = r.jitter(base, 8);
        // older skin: a little darker and less saturated
        skin = blend(s, new Color(170, 150, 140), 0.18 * wrinkles);

        hair = male ? maleHair(age, r) : femaleHair(r);
        Color hairBase = HAIR[r.weighted(HAIR_WEIGHTS)];
        Color greyTone = greyness > 0.75 ? new Color(232, 230, 226) : new Color(178, 176, 174);
        hairColor = blend(r.jitter(hairBase, 6), greyTone, Math.min(0.92, greyness * 0.95));
        hairVolume = r.uniform(6, 16) + (hair == Hair.BUZZ ? -5 : 0);
        hairlineY = switch (hair) {
            case RECEDING -> r.uniform(-128, -112);
            case BANGS -> r.uniform(-48, -36);
            case BUZZ -> r.uniform(-96, -86);
            default -> r.uniform(-96, -82) - wrinkles * (male ? 10 : 3);
        };
        partLeft = r.chance(0.5);

        browThickness = Math.max(2.2, r.gaussian(male ? 6.8 : 4.4, 1.1));
        browArch = r.gaussian(male ? 3 : 7, 2);
        browColor = blend(hairColor, new Color(60, 50, 45), 0.35 + 0.3 * (1 - greyness));
        iris = r.pick(IRIS);
        eyeSpacing = r.gaussian(37, 2);
        eyeWidth = r.gaussian(27, 2);
        eyeOpen = (1.0 - 0.28 * wrinkles) * r.gaussian(1.0, 0.08);
        noseWidth = r.gaussian(male ? 17 : 15, 2);
        noseLength = r.gaussian(male ? 50 : 46, 3);
        mouthWidth = r.gaussian(male ? 52 : 48, 4);
        lipFullness = r.gaussian(male ? 0.85 : 1.1, 0.12) * (1.0 - 0.3 * wrinkles);
        boolean lipstick = r.chance(male ? 0.02 : 0.5);
        Color naturalLip = blend(skin, new Color(178, 86, 86), 0.45);
        lipColor = lipstick ? r.pick(LIPSTICK) : naturalLip;
        eyeliner = r.chance(male ? 0.04 : 0.55);
        blush = male ? 0 : r.chance(0.35) ? r.uniform(0.08, 0.2) : 0;

        beard = male ? beard(age, r) : Beard.NONE;
        ageSpots = age >= 55 && r.chance(0.5);
        spotSeed = r.nextLong();

        glasses = r.chance(age >= 45 ? 0.34 : 0.12);
        roundGlasses = r.chance(0.4);
        glassesColor = r.chance(0.5) ? new Color(30, 30, 30) : r.chance(0.5) ? new Color(150, 120, 70) : new Color(170, 170, 175);
        earrings = r.chance(male ? 0.04 : 0.4);
        earringColor = r.chance(0.6) ? new Color(222, 190, 90) : new Color(220, 220, 228);

        backdrop = Backdrop.values()[r.weighted(0.3, 0.12, 0.12, 0.12, 0.14, 0.2)];
        wall = r.jitter(r.pick(WALLS), 14);
        wall2 = r.jitter(r.pick(WALLS), 14);
        accent = r.jitter(r.pick(CLOTHES), 20);
        shirt = r.jitter(r.pick(CLOTHES), 12);
        shirt2 = r.jitter(r.pick(CLOTHES), 12);
        shirtStyle = r.nextInt(5);
    }

    private static Hair maleHair(int age, Rng r) {
        double receding = age >= 40 ? 0.35 : 0.03;
        Hair[] options = {Hair.CROP, Hair.SIDE_PART, Hair.BUZZ, Hair.RECEDING, Hair.LONG, Hair.BOB, Hair.PONYTAIL, Hair.BANGS};
        return options[r.weighted(0.32, 0.28, 0.14, receding, 0.04, 0.03, 0.02, 0.02)];
    }

    private static Hair femaleHair(Rng r) {
        Hair[] options = {Hair.LONG, Hair.BOB, Hair.PONYTAIL, Hair.BUN, Hair.BANGS, Hair.CROP, Hair.SIDE_PART};
        return options[r.weighted(0.36, 0.2, 0.12, 0.1, 0.12, 0.06, 0.04)];
    }

    private static Beard beard(int age, Rng r) {
        double p = age < 30 ? 0.25 : 0.4;
        if (!r.chance(p)) {
            return Beard.NONE;
        }
        Beard[] options = {Beard.STUBBLE, Beard.MUSTACHE, Beard.GOATEE, Beard.FULL};
        return options[r.weighted(0.35, 0.2, 0.2, 0.25)];
    }

    boolean longHair() {
        return hair == Hair.LONG || hair == Hair.BANGS;
    }

    static Color blend(Color a, Color b, double t) {
        double u = 1 - t;
        return new Color(Rng.clamp((int) Math.round(a.getRed() * u + b.getRed() * t)),
                Rng.clamp((int) Math.round(a.getGreen() * u + b.getGreen() * t)),
                Rng.clamp((int) Math.round(a.getBlue() * u + b.getBlue() * t)));
    }

    static Color shade(Color c, double factor) {
        return new Color(Rng.clamp((int) Math.round(c.getRed() * factor)), Rng.clamp((int) Math.round(c.getGreen() * factor)),
                Rng.clamp((int) Math.round(c.getBlue() * factor)));
    }

    static Color alpha(Color c, double a) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), Rng.clamp((int) Math.round(a * 255)));
    }
}
