/*
 * rng.c — seeding, bounded integers and normal deviates for basin_rng (see rng.h).
 */
#include "basin/rng.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void basin_rng_seed(basin_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    rng->spare = 0.0;
    rng->has_spare = 0;
}

void basin_rng_split(const basin_rng *rng, uint64_t stream, basin_rng *out)
{
    uint64_t x = rng->s[0] ^ rng->s[1] ^ rng->s[2] ^ rng->s[3];
    x ^= splitmix64(&stream);
    basin_rng_seed(out, x);
}

uint64_t basin_rng_below(basin_rng *rng, uint64_t n)
{
    /* Lemire (2019): multiply-shift with rejection of the short low band. */
    u128 m = (u128)basin_rng_next(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (u128)basin_rng_next(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double basin_rng_normal(basin_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    /* Polar method: (u, v) uniform in the unit disc, then
     * x = u·sqrt(−2 ln s / s), y = v·sqrt(−2 ln s / s) with s = u² + v². */
    double u, v, s;
    do {
        u = 2.0 * basin_rng_uniform(rng) - 1.0;
        v = 2.0 * basin_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    rng->spare = v * f;
    rng->has_spare = 1;
    return u * f;
}

void basin_rng_normals(basin_rng *rng, double *out, long n)
{
    for (long i = 0; i < n; i++)
        out[i] = basin_rng_normal(rng);
}

/* ---- the fast normal generator (see rng.h) ------------------------------------------------
 *
 * Ziggurat tables for 1024 layers (Marsaglia & Tsang 2000, "The ziggurat method for
 * generating random variables", J. Stat. Softw. 5(8)), computed in 60-digit arithmetic with
 * r = 4.0388498461095045 (the right edge of the base layer, the root of the closing
 * condition for 1024 layers) and layer area v = r f(r) + ∫_r^∞ f = 1.226324646353088e-3,
 * f(x) = exp(−x²/2):
 *   zig_x[i]  right edge x_i of layer i (x_1023 = r, x_{i−1} = f⁻¹(v/x_i + f(x_i)));
 *             zig_x[0] = v/f(r), the width of a rectangle of area v and height f(r);
 *   zig_k[i]  x_{i−1}/x_i truncated to 52 bits (zig_k[0] = r/zig_x[0], zig_k[1] = 0):
 *             a uniform abscissa u < zig_k[i] puts u·x_i inside the layer's inner
 *             rectangle, under the curve;
 *   zig_f[i]  f(x_i) (zig_f[0] = 1).
 * The top layer closes to 1e-19 (x_1 (1 − f(x_1)) = v). With 1024 layers (rather than the
 * usual 256) 99.6% of the words are accepted at once: the rare rejections, each a
 * mispredicted branch and a wedge or tail test, cost more than the larger table's loads. */
static const double zig_x[1024] = {
    0x1.118020ba8384fp+2, 0x1.149c33f9c163dp-3, 0x1.6ef3ca6af97b3p-3, 0x1.adaee6d2c6ba9p-3,
    0x1.df41a2bff4a66p-3, 0x1.0475a7730776cp-2, 0x1.169cd473d93fep-2, 0x1.26d054de3547bp-2,
    0x1.3585060437008p-2, 0x1.43099728a392ap-2, 0x1.4f95c8b9fa43bp-2, 0x1.5b52b0a3ccb32p-2,
    0x1.665f8bb53e5fcp-2, 0x1.70d4b65de8999p-2, 0x1.7ac597d6d3b82p-2, 0x1.8441eb6f16023p-2,
    0x1.8d56a46dca4d8p-2, 0x1.960e90154589ap-2, 0x1.9e72cb87f01b8p-2, 0x1.a68b1b5456ccbp-2,
    0x1.ae5e2da3b40fbp-2, 0x1.b5f1cd0ddca72p-2, 0x1.bd4b08307dbe2p-2, 0x1.c46e50ea5e0d9p-2,
    0x1.cb5f95471b53fp-2, 0x1.d222539700f44p-2, 0x1.d8b9aac9e12f1p-2, 0x1.df2867dcaeb27p-2,
    0x1.e57110f6837d5p-2, 0x1.eb95eeac9ba6dp-2, 0x1.f19913c96b427p-2, 0x1.f77c63de8e914p-2,
    0x1.fd4198d9f2a3fp-2, 0x1.017523e56fad1p-1, 0x1.043bf27d46371p-1, 0x1.06f5e3ba78dbcp-1,
    0x1.09a3960c87a0fp-1, 0x1.0c459c21cf550p-1, 0x1.0edc7e11db987p-1, 0x1.1168ba631abe0p-1,
    0x1.13eac6f1440a1p-1, 0x1.166311b8de758p-1, 0x1.18d2018b9df36p-1, 0x1.1b37f6b0b69fdp-1,
    0x1.1d954b73c9776p-1, 0x1.1fea54a4a7f20p-1, 0x1.22376209d704cp-1, 0x1.247cbec7734edp-1,
    0x1.26bab1bbdd02fp-1, 0x1.28f17dd360587p-1, 0x1.2b216253e554cp-1, 0x1.2d4a9b218e2ecp-1,
    0x1.2f6d60fd0d57fp-1, 0x1.3189e9bc62713p-1, 0x1.33a0687e976aap-1, 0x1.35b10ddb04206p-1,
    0x1.37bc080c8e81bp-1, 0x1.39c183194f421p-1, 0x1.3bc1a8f6f6e95p-1, 0x1.3dbca1ac448b9p-1,
    0x1.3fb2936fd641cp-1, 0x1.41a3a2c49377dp-1, 0x1.438ff293ea270p-1, 0x1.4577a44611ec0p-1,
    0x1.475ad7d88287ap-1, 0x1.4939abf2c6975p-1, 0x1.4b143df9cf244p-1, 0x1.4ceaaa21e8f53p-1,
    0x1.4ebd0b7f7146ap-1, 0x1.508b7c1664a65p-1, 0x1.525614e8e0192p-1, 0x1.541cee04aa648p-1,
    0x1.55e01e8fd9486p-1, 0x1.579fbcd4a4a04p-1, 0x1.595bde4c77bdap-1, 0x1.5b1497aa4fd70p-1,
    0x1.5cc9fce475118p-1, 0x1.5e7c213d9a7f0p-1, 0x1.602b174d70552p-1, 0x1.61d6f108b2adep-1,
    0x1.637fbfc8be410p-1, 0x1.65259452b3be3p-1, 0x1.66c87ede31b7fp-1, 0x1.68688f1bac6a7p-1,
    0x1.6a05d43a6a13ap-1, 0x1.6ba05cee2a08fp-1, 0x1.6d3837747c3bdp-1, 0x1.6ecd7199ce6c0p-1,
    0x1.706018be33e0fp-1, 0x1.71f039d9ec23fp-1, 0x1.737de181ace0dp-1, 0x1.75091beab2c21p-1,
    0x1.7691f4ee9cd69p-1, 0x1.7818780f15cdep-1, 0x1.799cb0794e18bp-1, 0x1.7b1ea90949c78p-1,
    0x1.7c9e6c4d04c9ep-1, 0x1.7e1c04877005fp-1, 0x1.7f977bb349916p-1, 0x1.8110db85d22e4p-1,
    0x1.82882d71620a1p-1, 0x1.83fd7aa7de9a0p-1, 0x1.8570cc1d1350ap-1, 0x1.86e22a88eecc2p-1,
    0x1.88519e69a601dp-1, 0x1.89bf3005bed15p-1, 0x1.8b2ae76e03546p-1, 0x1.8c94cc7f5f29ap-1,
    0x1.8dfce6e4a7e61p-1, 0x1.8f633e1851c3fp-1, 0x1.90c7d9661198bp-1, 0x1.922abfec6d073p-1,
    0x1.938bf89e39d7cp-1, 0x1.94eb8a440d504p-1, 0x1.96497b7d9c5a4p-1, 0x1.97a5d2c30d388p-1,
    0x1.990096663b81fp-1, 0x1.9a59cc93ef0efp-1, 0x1.9bb17b55067a3p-1, 0x1.9d07a88f95ce7p-1,
    0x1.9e5c5a07f9f10p-1, 0x1.9faf9561e1529p-1, 0x1.a10160214a655p-1, 0x1.a251bfab7853ep-1,
    0x1.a3a0b947de6adp-1, 0x1.a4ee522102a2ep-1, 0x1.a63a8f4557b20p-1, 0x1.a78575a80f05cp-1,
    0x1.a8cf0a21e302ep-1, 0x1.aa175171d9e21p-1, 0x1.ab5e503e017ddp-1, 0x1.aca40b14245e7p-1,
    0x1.ade8866a78517p-1, 0x1.af2bc6a046d16p-1, 0x1.b06dcffe8f82dp-1, 0x1.b1aea6b8a5068p-1,
    0x1.b2ee4eecc45d3p-1, 0x1.b42ccca4a717dp-1, 0x1.b56a23d6108a5p-1, 0x1.b6a658635636fp-1,
    0x1.b7e16e1be3a27p-1, 0x1.b91b68bcb9c23p-1, 0x1.ba544bf0ea306p-1, 0x1.bb8c1b520e529p-1,
    0x1.bcc2da68ba9afp-1, 0x1.bdf88cacee0c1p-1, 0x1.bf2d35867e249p-1, 0x1.c060d84d7f562p-1,
    0x1.c193784aaa2a8p-1, 0x1.c2c518b7bd36fp-1, 0x1.c3f5bcbfdbfccp-1, 0x1.c525677fead56p-1,
    0x1.c6541c06e8067p-1, 0x1.c781dd564217fp-1, 0x1.c8aeae622b885p-1, 0x1.c9da9211ebf57p-1,
    0x1.cb058b402ed3ap-1, 0x1.cc2f9cbb4fc96p-1, 0x1.cd58c945a4c45p-1, 0x1.ce811395c5de6p-1,
    0x1.cfa87e56d3259p-1, 0x1.d0cf0c28b859ep-1, 0x1.d1f4bfa06eb46p-1, 0x1.d3199b483cc86p-1,
    0x1.d43da19ff48fep-1, 0x1.d560d51d2fb3ap-1, 0x1.d683382b8a1e1p-1, 0x1.d7a4cd2cdae87p-1,
    0x1.d8c596796bb03p-1, 0x1.d9e596602e627p-1, 0x1.db04cf26f18aap-1, 0x1.dc23430a9331cp-1,
    0x1.dd40f43f32595p-1, 0x1.de5de4f05f1e9p-1, 0x1.df7a174149911p-1, 0x1.e0958d4cef474p-1,
    0x1.e1b0492647bb9p-1, 0x1.e2ca4cd86f7cbp-1, 0x1.e3e39a66d2396p-1, 0x1.e4fc33cd53b27p-1,
    0x1.e6141b00779b2p-1, 0x1.e72b51ed8870ap-1, 0x1.e841da7abd514p-1, 0x1.e957b6875edabp-1,
    0x1.ea6ce7ebeb186p-1, 0x1.eb81707a38874p-1, 0x1.ec9551fd98388p-1, 0x1.eda88e3af7182p-1,
    0x1.eebb26f0fe5f8p-1, 0x1.efcd1dd833397p-1, 0x1.f0de74a3159e0p-1, 0x1.f1ef2cfe3e6cep-1,
    0x1.f2ff48907ccb1p-1, 0x1.f40ec8faf2c9cp-1, 0x1.f51dafd9315c5p-1, 0x1.f62bfec153a1cp-1,
    0x1.f739b74419875p-1, 0x1.f846daed01c8ap-1, 0x1.f9536b4263526p-1, 0x1.fa5f69c5860bep-1,
    0x1.fb6ad7f2bb0bcp-1, 0x1.fc75b741743c6p-1, 0x1.fd8009245b73ep-1, 0x1.fe89cf096903ap-1,
    0x1.ff930a59f9c2dp-1, 0x1.004dde3d724c7p+0, 0x1.00d1f36647c4bp+0, 0x1.0155c5558223cp+0,
    0x1.01d954b702288p+0, 0x1.025ca2348e4c0p+0, 0x1.02dfae75dc5d6p+0, 0x1.03627a209ae7dp+0,
    0x1.03e505d87a62ep+0, 0x1.0467523f362f9p+0, 0x1.04e95ff49d62dp+0, 0x1.056b2f969b5f4p+0,
    0x1.05ecc1c1403efp+0, 0x1.066e170ec90f0p+0, 0x1.06ef3017a7de1p+0, 0x1.07700d728b9e3p+0,
    0x1.07f0afb467dccp+0, 0x1.087117707c4fap+0, 0x1.08f145385c3a6p+0, 0x1.0971399bf5ab6p+0,
    0x1.09f0f52998928p+0, 0x1.0a70786dfdb23p+0, 0x1.0aefc3f44d6b5p+0, 0x1.0b6ed84626660p+0,
    0x1.0bedb5eba416fp+0, 0x1.0c6c5d6b65231p+0, 0x1.0ceacf4a91a1bp+0, 0x1.0d690c0ce13ebp+0,
    0x1.0de71434a13cdp+0, 0x1.0e64e842ba594p+0, 0x1.0ee288b6b6917p+0, 0x1.0f5ff60ec6cb0p+0,
    0x1.0fdd30c7c85fdp+0, 0x1.105a395d4a8d7p+0, 0x1.10d7104993ca0p+0, 0x1.1153b605a6fdep+0,
    0x1.11d02b0948a3bp+0, 0x1.124c6fcb03cf4p+0, 0x1.12c884c02f1b2p+0, 0x1.13446a5cf17ebp+0,
    0x1.13c02114470c3p+0, 0x1.143ba9580597cp+0, 0x1.14b70398e1485p+0, 0x1.1532304671120p+0,
    0x1.15ad2fcf331b7p+0, 0x1.162802a0910dcp+0, 0x1.16a2a926e450ap+0, 0x1.171d23cd7a31ap+0,
    0x1.179772fe97f84p+0, 0x1.181197237ee72p+0, 0x1.188b90a4702a0p+0, 0x1.19055fe8b0b1dp+0,
    0x1.197f05568cfebp+0, 0x1.19f881535cd87p+0, 0x1.1a71d44386f64p+0, 0x1.1aeafe8a84956p+0,
    0x1.1b64008ae4ff5p+0, 0x1.1bdcdaa65100cp+0, 0x1.1c558d3d8e4ffp+0, 0x1.1cce18b082e45p+0,
    0x1.1d467d5e383f3p+0, 0x1.1dbebba4dea57p+0, 0x1.1e36d3e1d04b6p+0, 0x1.1eaec6719471fp+0,
    0x1.1f2693afe276ep+0, 0x1.1f9e3bf7a4d6dp+0, 0x1.2015bfa2fc22fp+0, 0x1.208d1f0b41e92p+0,
    0x1.21045a890b8fep+0, 0x1.217b72742d25fp+0, 0x1.21f26723bc255p+0, 0x1.226938ee122b9p+0,
    0x1.22dfe828cfa53p+0, 0x1.23567528de6ecp+0, 0x1.23cce042746a8p+0, 0x1.244329c9160afp+0,
    0x1.24b9520f98d31p+0, 0x1.252f596825cc3p+0, 0x1.25a540243bf13p+0, 0x1.261b0694b2902p+0,
    0x1.2690ad09bba1fp+0, 0x1.270633d2e6188p+0, 0x1.277b9b3f20233p+0, 0x1.27f0e39cb96aap+0,
    0x1.28660d396542ap+0, 0x1.28db18623cd45p+0, 0x1.29500563c13e9p+0, 0x1.29c4d489ddae7p+0,
    0x1.2a39861fe96f8p+0, 0x1.2aae1a70a9f35p+0, 0x1.2b2291c654d18p+0, 0x1.2b96ec6a91bfcp+0,
    0x1.2c0b2aa67c81ep+0, 0x1.2c7f4cc2a6d2dp+0, 0x1.2cf353071a45bp+0, 0x1.2d673dbb5a203p+0,
    0x1.2ddb0d26652d3p+0, 0x1.2e4ec18eb788dp+0, 0x1.2ec25b3a4c65bp+0, 0x1.2f35da6e9fcb0p+0,
    0x1.2fa93f70b04cbp+0, 0x1.301c8a8500bc4p+0, 0x1.308fbbef99d46p+0, 0x1.3102d3f40bdd0p+0,
    0x1.3175d2d5704a8p+0, 0x1.31e8b8d66b560p+0, 0x1.325b86392d906p+0, 0x1.32ce3b3f756f2p+0,
    0x1.3340d82a90d3cp+0, 0x1.33b35d3b5e8dbp+0, 0x1.3425cab24fd66p+0, 0x1.349820cf69c87p+0,
    0x1.350a5fd246d18p+0, 0x1.357c87fa181e8p+0, 0x1.35ee9985a7039p+0, 0x1.366094b3565e4p+0,
    0x1.36d279c123f37p+0, 0x1.374448eca9c84p+0, 0x1.37b602731f760p+0, 0x1.3827a6915b7a2p+0,
    0x1.38993583d4810p+0, 0x1.390aaf86a2acap+0, 0x1.397c14d580d70p+0, 0x1.39ed65abcdcfep+0,
    0x1.3a5ea2448d96ap+0, 0x1.3acfcada6a8fep+0, 0x1.3b40dfa7b6b70p+0, 0x1.3bb1e0e66ccbbp+0,
    0x1.3c22ced0317bap+0, 0x1.3c93a99e54888p+0, 0x1.3d047189d1e98p+0, 0x1.3d7526cb52ea5p+0,
    0x1.3de5c99b2f453p+0, 0x1.3e565a316e3a7p+0, 0x1.3ec6d8c5c7a3fp+0, 0x1.3f37458fa5050p+0,
    0x1.3fa7a0c622977p+0, 0x1.4017eaa01054ep+0, 0x1.40882353f2fcap+0, 0x1.40f84b180516fp+0,
    0x1.4168622237f4ap+0, 0x1.41d868a834ab7p+0, 0x1.42485edf5d102p+0, 0x1.42b844fcccacbp+0,
    0x1.43281b3559b41p+0, 0x1.4397e1bd95f2fp+0, 0x1.440798c9cfbdbp+0, 0x1.4477408e12db7p+0,
    0x1.44e6d93e296e6p+0, 0x1.4556630d9cd96p+0, 0x1.45c5de2fb6a36p+0, 0x1.46354ad781574p+0,
    0x1.46a4a937c9620p+0, 0x1.4713f9831dee2p+0, 0x1.47833bebd1bc3p+0, 0x1.47f270a3fbf9ap+0,
    0x1.486197dd79147p+0, 0x1.48d0b1c9eb8d1p+0, 0x1.493fbe9abcc5ep+0, 0x1.49aebe811dd01p+0,
    0x1.4a1db1ae0836bp+0, 0x1.4a8c98523ec77p+0, 0x1.4afb729e4e590p+0, 0x1.4b6a40c28e8fbp+0,
    0x1.4bd902ef229fcp+0, 0x1.4c47b953fa0dap+0, 0x1.4cb66420d16c7p+0, 0x1.4d250385331a2p+0,
    0x1.4d9397b077fa3p+0, 0x1.4e0220d1c82dcp+0, 0x1.4e709f181bca9p+0, 0x1.4edf12b23b8fcp+0,
    0x1.4f4d7bcec198ap+0, 0x1.4fbbda9c1a0e3p+0, 0x1.502a2f4883d64p+0, 0x1.50987a0211419p+0,
    0x1.5106baf6a8b7cp+0, 0x1.5174f2540561bp+0, 0x1.51e32047b7d25p+0, 0x1.525144ff26adep+0,
    0x1.52bf60a78f4fap+0, 0x1.532d736e066ddp+0, 0x1.539b7d7f78bc4p+0, 0x1.54097f08ab8dap+0,
    0x1.547778363d72ep+0, 0x1.54e56934a6d95p+0, 0x1.555352303aa7fp+0, 0x1.55c1335526da2p+0,
    0x1.562f0ccf751a5p+0, 0x1.569cdecb0b5a3p+0, 0x1.570aa973ac6a8p+0, 0x1.57786cf4f890ep+0,
    0x1.57e6297a6e1cep+0, 0x1.5853df2f69fb5p+0, 0x1.58c18e3f28490p+0, 0x1.592f36d4c4e3bp+0,
    0x1.599cd91b3bfa2p+0, 0x1.5a0a753d6a9aep+0, 0x1.5a780b660f422p+0, 0x1.5ae59bbfca666p+0,
    0x1.5b5326751f03bp+0, 0x1.5bc0abb073267p+0, 0x1.5c2e2b9c10748p+0, 0x1.5c9ba66224b5cp+0,
    0x1.5d091c2cc25b7p+0, 0x1.5d768d25e1068p+0, 0x1.5de3f9775e0cfp+0, 0x1.5e51614afcfe6p+0,
    0x1.5ebec4ca68278p+0, 0x1.5f2c241f3114bp+0, 0x1.5f997f72d113bp+0, 0x1.6006d6eea9b48p+0,
    0x1.60742abc05494p+0, 0x1.60e17b0417658p+0, 0x1.614ec7effd5c5p+0, 0x1.61bc11a8bebdcp+0,
    0x1.622958574dd3fp+0, 0x1.62969c24881e5p+0, 0x1.6303dd3936cd8p+0, 0x1.63711bbe0f3d4p+0,
    0x1.63de57dbb36e3p+0, 0x1.644b91bab27efp+0, 0x1.64b8c98389245p+0, 0x1.6525ff5ea2210p+0,
    0x1.6593337456bc3p+0, 0x1.660065ecef386p+0, 0x1.666d96f0a3488p+0, 0x1.66dac6a79a854p+0,
    0x1.6747f539ece17p+0, 0x1.67b522cfa31dep+0, 0x1.68224f90b73c7p+0, 0x1.688f7ba514f31p+0,
    0x1.68fca7349a1dap+0, 0x1.6969d267172fbp+0, 0x1.69d6fd644fa59p+0, 0x1.6a442853fa750p+0,
    0x1.6ab1535dc27d0p+0, 0x1.6b1e7ea946f5dp+0, 0x1.6b8baa5e1bdfep+0, 0x1.6bf8d6a3ca726p+0,
    0x1.6c6603a1d189fp+0, 0x1.6cd3317fa615ep+0, 0x1.6d406064b3864p+0, 0x1.6dad90785c387p+0,
    0x1.6e1ac1e1f9e3dp+0, 0x1.6e87f4c8de065p+0, 0x1.6ef52954524fep+0, 0x1.6f625fab990e8p+0,
    0x1.6fcf97f5ed98fp+0, 0x1.703cd25a84b9fp+0, 0x1.70aa0f008d1adp+0, 0x1.71174e0f2fad7p+0,
    0x1.71848fad90167p+0, 0x1.71f1d402cd170p+0, 0x1.725f1b3600f5ep+0, 0x1.72cc656e41e93p+0,
    0x1.7339b2d2a27edp+0, 0x1.73a7038a32056p+0, 0x1.741457bbfcf4cp+0, 0x1.7481af8f0d565p+0,
    0x1.74ef0b2a6b2cep+0, 0x1.755c6ab51cdcep+0, 0x1.75c9ce562793ep+0, 0x1.763736348fb05p+0,
    0x1.76a4a2775928dp+0, 0x1.7712134587f37p+0, 0x1.777f88c6206d2p+0, 0x1.77ed032027c04p+0,
    0x1.785a827aa44c0p+0, 0x1.78c806fc9e0b1p+0, 0x1.793590cd1efa5p+0, 0x1.79a32013337fap+0,
    0x1.7a10b4f5ead05p+0, 0x1.7a7e4f9c5757fp+0, 0x1.7aebf02d8f1edp+0, 0x1.7b5996d0ac303p+0,
    0x1.7bc743accd013p+0, 0x1.7c34f6e914d72p+0, 0x1.7ca2b0acac2dcp+0, 0x1.7d10711ec11e3p+0,
    0x1.7d7e386687c52p+0, 0x1.7dec06ab3aa98p+0, 0x1.7e59dc141b232p+0, 0x1.7ec7b8c871c16p+0,
    0x1.7f359cef8eb1ep+0, 0x1.7fa388b0ca275p+0, 0x1.80117c3384c06p+0, 0x1.807f779f27eeep+0,
    0x1.80ed7b1b265e8p+0, 0x1.815b86cefc5cbp+0, 0x1.81c99ae2303f6p+0, 0x1.8237b77c52ccep+0,
    0x1.82a5dcc4ffa37p+0, 0x1.83140ae3dda15p+0, 0x1.838242009f4c6p+0, 0x1.83f08243033abp+0,
    0x1.845ecbd2d47adp+0, 0x1.84cd1ed7eafc6p+0, 0x1.853b7b7a2bf8fp+0, 0x1.85a9e1e18a5d3p+0,
    0x1.8618523607320p+0, 0x1.8686cc9fb2066p+0, 0x1.86f55146a958ep+0, 0x1.8763e0531b023p+0,
    0x1.87d279ed449f2p+0, 0x1.88411e3d73fb8p+0, 0x1.88afcd6c077d5p+0, 0x1.891e87a16e8fap+0,
    0x1.898d4d062a0eep+0, 0x1.89fc1dc2ccb43p+0, 0x1.8a6af9fffb827p+0, 0x1.8ad9e1e66e328p+0,
    0x1.8b48d59eefa07p+0, 0x1.8bb7d5525e393p+0, 0x1.8c26e129ac688p+0, 0x1.8c95f94de1070p+0,
    0x1.8d051de817c93p+0, 0x1.8d744f2181ae7p+0, 0x1.8de38d236570ep+0, 0x1.8e52d8171ff54p+0,
    0x1.8ec2302624bbcp+0, 0x1.8f319579fe50ep+0, 0x1.8fa1083c4ebf2p+0, 0x1.90108896d000ep+0,
    0x1.908016b354736p+0, 0x1.90efb2bbc7499p+0, 0x1.915f5cda2cffdp+0, 0x1.91cf1538a3d05p+0,
    0x1.923edc016427cp+0, 0x1.92aeb15ec11adp+0, 0x1.931e957b28dc5p+0, 0x1.938e888125339p+0,
    0x1.93fe8a9b5bf3ep+0, 0x1.946e9bf48f745p+0, 0x1.94debcb79f087p+0, 0x1.954eed0f87796p+0,
    0x1.95bf2d27637fcp+0, 0x1.962f7d2a6c3e6p+0, 0x1.969fdd43f9bd9p+0, 0x1.97104d9f83672p+0,
    0x1.9780ce68a0833p+0, 0x1.97f15fcb08b5bp+0, 0x1.986201f2947ccp+0, 0x1.98d2b50b3dafep+0,
    0x1.994379411fff8p+0, 0x1.99b44ec079763p+0, 0x1.9a2535b5aaf9cp+0, 0x1.9a962e4d38cdbp+0,
    0x1.9b0738b3cb16cp+0, 0x1.9b7855162e5ebp+0, 0x1.9be983a154197p+0, 0x1.9c5ac482532b0p+0,
    0x1.9ccc17e6686e3p+0, 0x1.9d3d7dfaf73cbp+0, 0x1.9daef6ed89f76p+0, 0x1.9e2082ebd2906p+0,
    0x1.9e922223ab15bp+0, 0x1.9f03d4c3163cbp+0, 0x1.9f759af83fef3p+0, 0x1.9fe774f17dd8ep+0,
    0x1.a05962dd4ff66p+0, 0x1.a0cb64ea61253p+0, 0x1.a13d7b4787b48p+0, 0x1.a1afa623c5f78p+0,
    0x1.a221e5ae4ad87p+0, 0x1.a2943a16726d5p+0, 0x1.a306a38bc68d4p+0, 0x1.a379223dff674p+0,
    0x1.a3ebb65d041a7p+0, 0x1.a45e6018eb4efp+0, 0x1.a4d11fa1fbd09p+0, 0x1.a543f528ad2a9p+0,
    0x1.a5b6e0dda8448p+0, 0x1.a629e2f1c800cp+0, 0x1.a69cfb9619dc1p+0, 0x1.a7102afbde8ecp+0,
    0x1.a78371548aaefp+0, 0x1.a7f6ced1c7547p+0, 0x1.a86a43a572be0p+0, 0x1.a8ddd001a0f81p+0,
    0x1.a95174189c84cp+0, 0x1.a9c5301ce7059p+0, 0x1.aa39044139e6ap+0, 0x1.aaacf0b8870b4p+0,
    0x1.ab20f5b5f97c4p+0, 0x1.ab95136cf617dp+0, 0x1.ac094a111c42fp+0, 0x1.ac7d99d6469c7p+0,
    0x1.acf202f08bb1dp+0, 0x1.ad6685943eb5cp+0, 0x1.addb21f5f0380p+0, 0x1.ae4fd84a6edfcp+0,
    0x1.aec4a8c6c826dp+0, 0x1.af3993a049176p+0, 0x1.afae990c7f0b5p+0, 0x1.b023b941386d4p+0,
    0x1.b098f474857bap+0, 0x1.b10e4adcb90dap+0, 0x1.b183bcb0695a3p+0, 0x1.b1f94a2670c0bp+0,
    0x1.b26ef375ee941p+0, 0x1.b2e4b8d647e78p+0, 0x1.b35a9a7f285d7p+0, 0x1.b3d098a882f8cp+0,
    0x1.b446b38a92effp+0, 0x1.b4bceb5ddc825p+0, 0x1.b533405b2dcfdp+0, 0x1.b5a9b2bb9fb2cp+0,
    0x1.b62042b8969bap+0, 0x1.b696f08bc3700p+0, 0x1.b70dbc6f246aap+0, 0x1.b784a69d05fefp+0,
    0x1.b7fbaf5003be6p+0, 0x1.b872d6c309407p+0, 0x1.b8ea1d31530d0p+0, 0x1.b96182d66f895p+0,
    0x1.b9d907ee3fe79p+0, 0x1.ba50acb4f9190p+0, 0x1.bac8716724c2ap+0, 0x1.bb405641a234cp+0,
    0x1.bbb85b81a7654p+0, 0x1.bc308164c1ec6p+0, 0x1.bca8c828d8048p+0, 0x1.bd21300c298d2p+0,
    0x1.bd99b94d51100p+0, 0x1.be12642b44c9ep+0, 0x1.be8b30e557b60p+0, 0x1.bf041fbb3a9c7p+0,
    0x1.bf7d30ecfd241p+0, 0x1.bff664bb0ee72p+0, 0x1.c06fbb66408b3p+0, 0x1.c0e9352fc4dc9p+0,
    0x1.c162d25931ec7p+0, 0x1.c1dc932482335p+0, 0x1.c25677d415b5ap+0, 0x1.c2d080aab32d1p+0,
    0x1.c34aadeb89343p+0, 0x1.c3c4ffda2f76cp+0, 0x1.c43f76baa7e4dp+0, 0x1.c4ba12d15fe9fp+0,
    0x1.c534d46331a80p+0, 0x1.c5afbbb56535dp+0, 0x1.c62ac90db1e1bp+0, 0x1.c6a5fcb23f77ap+0,
    0x1.c72156e9a78c1p+0, 0x1.c79cd7faf6ca1p+0, 0x1.c818802dae463p+0, 0x1.c8944fc9c4d4cp+0,
    0x1.c9104717a8657p+0, 0x1.c98c66603f623p+0, 0x1.ca08adecea132p+0, 0x1.ca851e078406cp+0,
    0x1.cb01b6fa657e9p+0, 0x1.cb7e791064e0bp+0, 0x1.cbfb6494d82d7p+0, 0x1.cc7879d3967aap+0,
    0x1.ccf5b918f972fp+0, 0x1.cd7322b1deda7p+0, 0x1.cdf0b6ebaa188p+0, 0x1.ce6e761445c60p+0,
    0x1.ceec607a2541cp+0, 0x1.cf6a766c4648fp+0, 0x1.cfe8b83a32965p+0, 0x1.d067263401859p+0,
    0x1.d0e5c0aa59bcfp+0, 0x1.d16487ee72dc5p+0, 0x1.d1e37c5217323p+0, 0x1.d2629e27a575ep+0,
    0x1.d2e1edc212887p+0, 0x1.d3616b74eb3b0p+0, 0x1.d3e11794561b9p+0, 0x1.d460f2751547cp+0,
    0x1.d4e0fc6c88465p+0, 0x1.d56135d0ade66p+0, 0x1.d5e19ef826263p+0, 0x1.d662383a341fbp+0,
    0x1.d6e301eebffc3p+0, 0x1.d763fc6e58ef2p+0, 0x1.d7e528123737ap+0, 0x1.d86685343e292p+0,
    0x1.d8e8142efe3bap+0, 0x1.d969d55db722cp+0, 0x1.d9ebc91c59ed3p+0, 0x1.da6defc78b2afp+0,
    0x1.daf049bca51bbp+0, 0x1.db72d759b9e57p+0, 0x1.dbf598fd95d2cp+0, 0x1.dc788f07c1994p+0,
    0x1.dcfbb9d884a90p+0, 0x1.dd7f19d0e7839p+0, 0x1.de02af52b61c9p+0, 0x1.de867ac082428p+0,
    0x1.df0a7c7da610dp+0, 0x1.df8eb4ee466b3p+0, 0x1.e01324775581ap+0, 0x1.e097cb7e955efp+0,
    0x1.e11caa6a9a7fdp+0, 0x1.e1a1c1a2ce74dp+0, 0x1.e227118f728d5p+0, 0x1.e2ac9a99a28dbp+0,
    0x1.e3325d2b576f0p+0, 0x1.e3b859af6a29ep+0, 0x1.e43e9091968bdp+0, 0x1.e4c5023e7e17cp+0,
    0x1.e54baf23aaf17p+0, 0x1.e5d297af92d4cp+0, 0x1.e659bc519a182p+0, 0x1.e6e11d7a16bb0p+0,
    0x1.e768bb9a53809p+0, 0x1.e7f0972493164p+0, 0x1.e878b08c13474p+0, 0x1.e9010845103cbp+0,
    0x1.e9899ec4c7ca9p+0, 0x1.ea1274817cca1p+0, 0x1.ea9b89f27a81bp+0, 0x1.eb24df90181acp+0,
    0x1.ebae75d3bc24ep+0, 0x1.ec384d37e0288p+0, 0x1.ecc266381446fp+0, 0x1.ed4cc15102ea3p+0,
    0x1.edd75f007483ap+0, 0x1.ee623fc55359fp+0, 0x1.eeed641faf673p+0, 0x1.ef78cc90c246dp+0,
    0x1.f004799af3342p+0, 0x1.f0906bc1db195p+0, 0x1.f11ca38a48affp+0, 0x1.f1a9217a44b28p+0,
    0x1.f235e619161ffp+0, 0x1.f2c2f1ef46913p+0, 0x1.f3504586a6a18p+0, 0x1.f3dde16a52691p+0,
    0x1.f46bc626b60bdp+0, 0x1.f4f9f449925adp+0, 0x1.f5886c62018acp+0, 0x1.f6172f007bfe1p+0,
    0x1.f6a63cb6dd24cp+0, 0x1.f73596186870cp+0, 0x1.f7c53bb9ce60ep+0, 0x1.f8552e3131a14p+0,
    0x1.f8e56e162c435p+0, 0x1.f975fc01d50c1p+0, 0x1.fa06d88ec4db1p+0, 0x1.fa9804591c289p+0,
    0x1.fb297ffe889d2p+0, 0x1.fbbb4c1e4ac23p+0, 0x1.fc4d69593bcc8p+0, 0x1.fcdfd851d380dp+0,
    0x1.fd7299ac2e336p+0, 0x1.fe05ae0e12e36p+0, 0x1.fe99161ef9720p+0, 0x1.ff2cd28810f66p+0,
    0x1.ffc0e3f4462efp+0, 0x1.002aa58825087p+1, 0x1.007504454c3aep+1, 0x1.00bf8e89bf749p+1,
    0x1.010a44ae91caep+1, 0x1.0155270dc629dp+1, 0x1.01a0360252ebdp+1, 0x1.01eb71e82582bp+1,
    0x1.0236db1c26321p+1, 0x1.028271fc3bdbap+1, 0x1.02ce36e74fddep+1, 0x1.031a2a3d52056p+1,
    0x1.03664c5f3c91ap+1, 0x1.03b29daf184cep+1, 0x1.03ff1e9000b88p+1, 0x1.044bcf66284dep+1,
    0x1.0498b096dcd40p+1, 0x1.04e5c2888bcaep+1, 0x1.053305a2c6eccp+1, 0x1.05807a4e48c61p+1,
    0x1.05ce20f4f9644p+1, 0x1.061bfa01f31c3p+1, 0x1.066a05e187691p+1, 0x1.06b8450143e3bp+1,
    0x1.0706b7cff7537p+1, 0x1.07555ebdb6d8ep+1, 0x1.07a43a3be3336p+1, 0x1.07f34abd2e219p+1,
    0x1.084290b59fde0p+1, 0x1.08920c9a9cb85p+1, 0x1.08e1bee2eacbbp+1, 0x1.0931a806b7d3ap+1,
    0x1.0981c87f9f1f0p+1, 0x1.09d220c8afa30p+1, 0x1.0a22b15e722eap+1, 0x1.0a737abeefbf0p+1,
    0x1.0ac47d69b7f5bp+1, 0x1.0b15b9dfe7b26p+1, 0x1.0b6730a42fcfap+1, 0x1.0bb8e23adc051p+1,
    0x1.0c0acf29d9eeap+1, 0x1.0c5cf7f8c03a9p+1, 0x1.0caf5d30d5ff7p+1, 0x1.0d01ff5d1a3a5p+1,
    0x1.0d54df0a4b76fp+1, 0x1.0da7fcc6efa29p+1, 0x1.0dfb59235c0aep+1, 0x1.0e4ef4b1bd8a4p+1,
    0x1.0ea2d00620e1cp+1, 0x1.0ef6ebb67b436p+1, 0x1.0f4b485ab30ccp+1, 0x1.0f9fe68ca8b45p+1,
    0x1.0ff4c6e83fe9cp+1, 0x1.1049ea0b68eb9p+1, 0x1.109f50962a133p+1, 0x1.10f4fb2aa998dp+1,
    0x1.114aea6d3790ep+1, 0x1.11a11f0458249p+1, 0x1.11f79998ce06ep+1, 0x1.124e5ad5a528ap+1,
    0x1.12a563683dac4p+1, 0x1.12fcb400571b9p+1, 0x1.13544d501be1fp+1, 0x1.13ac300c2d0c0p+1,
    0x1.14045cebae4f2p+1, 0x1.145cd4a8525b6p+1, 0x1.14b597fe67790p+1, 0x1.150ea7ace474cp+1,
    0x1.1568047575dcap+1, 0x1.15c1af1c8b8fap+1, 0x1.161ba86966a35p+1, 0x1.1675f12627a11p+1,
    0x1.16d08a1fdd1e6p+1, 0x1.172b742692b24p+1, 0x1.1786b00d604b4p+1, 0x1.17e23eaa79e89p+1,
    0x1.183e20d73fb92p+1, 0x1.189a57704ea4cp+1, 0x1.18f6e35591414p+1, 0x1.1953c56a51380p+1,
    0x1.19b0fe95491eep+1, 0x1.1a0e8fc0b6c88p+1, 0x1.1a6c79da6e0fap+1, 0x1.1acabdd3ec20cp+1,
    0x1.1b295ca26b475p+1, 0x1.1b88573ef741cp+1, 0x1.1be7aea682212p+1, 0x1.1c4763d9f9b89p+1,
    0x1.1ca777de5da1bp+1, 0x1.1d07ebbcd5dabp+1, 0x1.1d68c082ca02bp+1, 0x1.1dc9f741f93abp+1,
    0x1.1e2b911092af9p+1, 0x1.1e8d8f094ed31p+1, 0x1.1eeff24b894a9p+1, 0x1.1f52bbfb5b980p+1,
    0x1.1fb5ed41b8859p+1, 0x1.2019874c8858bp+1, 0x1.207d8b4ec5d50p+1, 0x1.20e1fa809c153p+1,
    0x1.2146d61f85420p+1, 0x1.21ac1f6e6a2f0p+1, 0x1.2211d7b5c2e55p+1, 0x1.22780043b8244p+1,
    0x1.22de9a6c45e1fp+1, 0x1.2345a7895ed36p+1, 0x1.23ad28fb11077p+1, 0x1.24152027ab9d6p+1,
    0x1.247d8e7be5a18p+1, 0x1.24e6756b061c3p+1, 0x1.254fd66f0d5c5p+1, 0x1.25b9b308df8b5p+1,
    0x1.26240cc07095cp+1, 0x1.268ee524f1759p+1, 0x1.26fa3dccfeec6p+1, 0x1.27661856d1ba7p+1,
    0x1.27d276687062cp+1, 0x1.283f59afe28a4p+1, 0x1.28acc3e366034p+1, 0x1.291ab6c1a5957p+1,
    0x1.29893411f1944p+1, 0x1.29f83da47a565p+1, 0x1.2a67d5528ca12p+1, 0x1.2ad7fcfed01d3p+1,
    0x1.2b48b69587e85p+1, 0x1.2bba040cd55b5p+1, 0x1.2c2be764fd1c4p+1, 0x1.2c9e62a8ae939p+1,
    0x1.2d1177ed4ddf9p+1, 0x1.2d85295340606p+1, 0x1.2df979063bf8cp+1, 0x1.2e6e693d9921dp+1,
    0x1.2ee3fc3ca7f06p+1, 0x1.2f5a3453082dap+1, 0x1.2fd113dd04a48p+1, 0x1.30489d43f1c91p+1,
    0x1.30c0d2fe8fdfcp+1, 0x1.3139b79170cc6p+1, 0x1.31b34d8f61b3bp+1, 0x1.322d9799d89bcp+1,
    0x1.32a89861663a8p+1, 0x1.332452a62c236p+1, 0x1.33a0c93857892p+1, 0x1.341dfef8a0ca1p+1,
    0x1.349bf6d8d0017p+1, 0x1.351ab3dc46db4p+1, 0x1.359a39188feb1p+1, 0x1.361a89b5f3cb1p+1,
    0x1.369ba8f0144b2p+1, 0x1.371d9a168dfd3p+1, 0x1.37a0608da06f3p+1, 0x1.3823ffcedd6a1p+1,
    0x1.38a87b69df8ecp+1, 0x1.392dd70508b3bp+1, 0x1.39b4165e48677p+1, 0x1.3a3b3d4beb066p+1,
    0x1.3ac34fbd71d4cp+1, 0x1.3b4c51bc749a0p+1, 0x1.3bd6476d8d3c5p+1, 0x1.3c6135114de93p+1,
    0x1.3ced1f05425bep+1, 0x1.3d7a09c4fcdfbp+1, 0x1.3e07f9eb2fb33p+1, 0x1.3e96f432d37f5p+1,
    0x1.3f26fd785b9d8p+1, 0x1.3fb81abaf8f90p+1, 0x1.404a511dec601p+1, 0x1.40dda5e9e92dep+1,
    0x1.41721e8e89401p+1, 0x1.4207c0a3d3413p+1, 0x1.429e91ebd4601p+1, 0x1.433698544ea17p+1,
    0x1.43cfd9f87d0f3p+1, 0x1.446a5d22ef1ecp+1, 0x1.4506284f7cc28p+1, 0x1.45a3422d54b4fp+1,
    0x1.4641b1a126aa3p+1, 0x1.46e17dc76b355p+1, 0x1.4782adf6cb50dp+1, 0x1.482549c2a9a25p+1,
    0x1.48c958fdcfb81p+1, 0x1.496ee3bd41af7p+1, 0x1.4a15f25b3ae31p+1, 0x1.4abe8d7a56765p+1,
    0x1.4b68be08e6d02p+1, 0x1.4c148d447f562p+1, 0x1.4cc204bdb4013p+1, 0x1.4d712e5c12b46p+1,
    0x1.4e2214625a90fp+1, 0x1.4ed4c172f5e53p+1, 0x1.4f894094bbb73p+1, 0x1.503f9d37fe631p+1,
    0x1.50f7e33bed3f4p+1, 0x1.51b21ef44fc6ap+1, 0x1.526e5d2fa1624p+1, 0x1.532cab3d95976p+1,
    0x1.53ed16f60d1b7p+1, 0x1.54afaec08522dp+1, 0x1.5574819c0b29bp+1, 0x1.563b9f27c079ap+1,
    0x1.570517abf9d3ap+1, 0x1.57d0fc2408e91p+1, 0x1.589f5e48bebbap+1, 0x1.5970509bb7936p+1,
    0x1.5a43e67383028p+1, 0x1.5b1a3408bc740p+1, 0x1.5bf34e842b027p+1, 0x1.5ccf4c0e01e64p+1,
    0x1.5dae43de5daccp+1, 0x1.5e904e4f1db05p+1, 0x1.5f7584ef3d01ep+1, 0x1.605e0297d22ffp+1,
    0x1.6149e382e2286p+1, 0x1.6239456437f60p+1, 0x1.632c4784796aep+1, 0x1.64230adeb805cp+1,
    0x1.651db240c5b84p+1, 0x1.661c626e9ed12p+1, 0x1.671f4249456e2p+1, 0x1.68267af977c02p+1,
    0x1.6932381eb96f0p+1, 0x1.6a42a80339eddp+1, 0x1.6b57fbd5360c5p+1, 0x1.6c7267e68b236p+1,
    0x1.6d9223f34e8d1p+1, 0x1.6eb76b705d995p+1, 0x1.6fe27de301e7cp+1, 0x1.71139f42f560ap+1,
    0x1.724b186849902p+1, 0x1.73893786fa0cep+1, 0x1.74ce50ba4367bp+1, 0x1.761abea23b404p+1,
    0x1.776ee3169eb6dp+1, 0x1.78cb27f25ff57p+1, 0x1.7a2ffffc30e1bp+1, 0x1.7b9de7f1293e4p+1,
    0x1.7d1567b7bd508p+1, 0x1.7e9713c296ff0p+1, 0x1.80238eac9ac95p+1, 0x1.81bb8b198f502p+1,
    0x1.835fcde9a647dp+1, 0x1.851130d1bad30p+1, 0x1.86d0a56ec05e1p+1, 0x1.889f38f0f5ef4p+1,
    0x1.8a7e188383122p+1, 0x1.8c6e969fec5cep+1, 0x1.8e72318b61bd4p+1, 0x1.908a9b4fdb0b1p+1,
    0x1.92b9c39e9d6f4p+1, 0x1.9501e430a386fp+1, 0x1.97659070e3792p+1, 0x1.99e7c98d0abadp+1,
    0x1.9c8c18808fccdp+1, 0x1.9f56b0622d2e1p+1, 0x1.a24c9c526a58ep+1, 0x1.a573fe23beac3p+1,
    0x1.a8d465a696327p+1, 0x1.ac774d46060efp+1, 0x1.b068d0fb2ebf7p+1, 0x1.b4b8c3eb841e8p+1,
    0x1.b97c669671246p+1, 0x1.bed13c3f86eaap+1, 0x1.c4e20525be0bcp+1, 0x1.cbf02c81463dap+1,
    0x1.d4678846623afp+1, 0x1.df0df33c82a26p+1, 0x1.ed917eb8389ccp+1, 0x1.027c84109fad5p+2,
};
static const double zig_k[1024] = {
    0x1.e3e4a8bb4f968p-1, 0x0.0p+0,
    0x1.81f29db804408p-1, 0x1.b5405b352f86ep-1,
    0x1.cb0a36a1f2594p-1, 0x1.d70cf1f08543ep-1,
    0x1.dea3fdec95c06p-1, 0x1.e3dd13ea3711ep-1,
    0x1.e7ac893a08e18p-1, 0x1.ea9327c8026c8p-1,
    0x1.ecdb2d523da52p-1, 0x1.eeb25f2755db0p-1,
    0x1.f03679c0bc516p-1, 0x1.f17ba339b0014p-1,
    0x1.f28ffd70bf282p-1, 0x1.f37dbc4c52f7ap-1,
    0x1.f44c6c3ccd492p-1, 0x1.f501c1707a95ap-1,
    0x1.f5a21fa11984ap-1, 0x1.f630f59b3e4a2p-1,
    0x1.f6b0fc75879eep-1, 0x1.f724642d86756p-1,
    0x1.f78cf3bfdf0b2p-1, 0x1.f7ec20a54817ep-1,
    0x1.f8432047bca74p-1, 0x1.f892f52b0ec52p-1,
    0x1.f8dc78f86f1aep-1, 0x1.f92064407767cp-1,
    0x1.f95f548979014p-1, 0x1.f999d11599f24p-1,
    0x1.f9d04eaf01becp-1, 0x1.fa0332b3b9e8cp-1,
    0x1.fa32d58c32bbap-1, 0x1.fa5f84acbf75ep-1,
    0x1.fa89843a9c534p-1, 0x1.fab11067580f0p-1,
    0x1.fad65e91365d4p-1, 0x1.faf99e33eb118p-1,
    0x1.fb1af9b29dd9ep-1, 0x1.fb3a9702490ccp-1,
    0x1.fb58983a15ca6p-1, 0x1.fb751c0e399e8p-1,
    0x1.fb903e38fa03ap-1, 0x1.fbaa17d4c9e56p-1,
    0x1.fbc2bfa9e9a72p-1, 0x1.fbda4a7182e32p-1,
    0x1.fbf0cb0fdfea0p-1, 0x1.fc0652c7172acp-1,
    0x1.fc1af163487b8p-1, 0x1.fc2eb5615adbep-1,
    0x1.fc41ac110297cp-1, 0x1.fc53e1b2b7e2ap-1,
    0x1.fc6561922bce0p-1, 0x1.fc76361db3ca0p-1,
    0x1.fc8668fb11d50p-1, 0x1.fc960319f06f6p-1,
    0x1.fca50cc45cd32p-1, 0x1.fcb38dad7f552p-1,
    0x1.fcc18cfec8ea4p-1, 0x1.fccf1163c5414p-1,
    0x1.fcdc2114ba766p-1, 0x1.fce8c1e039f9ep-1,
    0x1.fcf4f933c1982p-1, 0x1.fd00cc23879c0p-1,
    0x1.fd0c3f7189988p-1, 0x1.fd175793f27b8p-1,
    0x1.fd2218baea00cp-1, 0x1.fd2c86d5dd6f8p-1,
    0x1.fd36a5984fa74p-1, 0x1.fd40787e3cdd6p-1,
    0x1.fd4a02d01cfc6p-1, 0x1.fd5347a68e59ep-1,
    0x1.fd5c49edb15eep-1, 0x1.fd650c683ccb6p-1,
    0x1.fd6d91b25168cp-1, 0x1.fd75dc44133ecp-1,
    0x1.fd7dee740dbeap-1, 0x1.fd85ca7967c18p-1,
    0x1.fd8d726debb7cp-1, 0x1.fd94e84fe7f48p-1,
    0x1.fd9c2e03ea9bep-1, 0x1.fda345565c5f2p-1,
    0x1.fdaa2ffcfce40p-1, 0x1.fdb0ef98436aep-1,
    0x1.fdb785b4a60a6p-1, 0x1.fdbdf3cbc99c0p-1,
    0x1.fdc43b459c452p-1, 0x1.fdca5d795c56ep-1,
    0x1.fdd05bae8d1aap-1, 0x1.fdd6371ddaf92p-1,
    0x1.fddbf0f1f04b2p-1, 0x1.fde18a483c02ep-1,
    0x1.fde70431ab464p-1, 0x1.fdec5fb356f5ap-1,
    0x1.fdf19dc72608ep-1, 0x1.fdf6bf5c65954p-1,
    0x1.fdfbc55857404p-1, 0x1.fe00b096b6d10p-1,
    0x1.fe0581ea37840p-1, 0x1.fe0a3a1cf9b68p-1,
    0x1.fe0ed9f0f9766p-1, 0x1.fe13622076726p-1,
    0x1.fe17d35e55c22p-1, 0x1.fe1c2e567df1ap-1,
    0x1.fe2073ae2db30p-1, 0x1.fe24a4044d922p-1,
    0x1.fe28bff1bd018p-1, 0x1.fe2cc8099b0bep-1,
    0x1.fe30bcd98af56p-1, 0x1.fe349ee9f50e8p-1,
    0x1.fe386ebe43f80p-1, 0x1.fe3c2cd51e912p-1,
    0x1.fe3fd9a89ec66p-1, 0x1.fe4375ae8570ep-1,
    0x1.fe4701586b78ap-1, 0x1.fe4a7d13f05fep-1,
    0x1.fe4de94ae663ap-1, 0x1.fe5146637c546p-1,
    0x1.fe5494c0654b8p-1, 0x1.fe57d4c0fe5bep-1,
    0x1.fe5b06c1725dap-1, 0x1.fe5e2b1adbf0cp-1,
    0x1.fe61422365d08p-1, 0x1.fe644c2e69916p-1,
    0x1.fe67498c8cdf2p-1, 0x1.fe6a3a8bdd51ap-1,
    0x1.fe6d1f77eaed2p-1, 0x1.fe6ff899e15f2p-1,
    0x1.fe72c638a00b6p-1, 0x1.fe758898d0f80p-1,
    0x1.fe783ffcfeaaap-1, 0x1.fe7aeca5a9026p-1,
    0x1.fe7d8ed1591e8p-1, 0x1.fe8026bcb45dcp-1,
    0x1.fe82b4a28e834p-1, 0x1.fe8538bbfb0aep-1,
    0x1.fe87b3405db9ep-1, 0x1.fe8a24657a740p-1,
    0x1.fe8c8c5f845fep-1, 0x1.fe8eeb612c634p-1,
    0x1.fe91419baeff0p-1, 0x1.fe938f3ee1944p-1,
    0x1.fe95d4793f180p-1, 0x1.fe981177f43eep-1,
    0x1.fe9a4666eb25cp-1, 0x1.fe9c7370d67e2p-1,
    0x1.fe9e98bf3c44ap-1, 0x1.fea0b67a8007ap-1,
    0x1.fea2ccc9ecc0ep-1, 0x1.fea4dbd3be4bcp-1,
    0x1.fea6e3bd2a776p-1, 0x1.fea8e4aa69be8p-1,
    0x1.feaadebebfa4ap-1, 0x1.feacd21c82c12p-1,
    0x1.feaebee524778p-1, 0x1.feb0a53938646p-1,
    0x1.feb285387b804p-1, 0x1.feb45f01dafccp-1,
    0x1.feb632b37addep-1, 0x1.feb8006abc544p-1,
    0x1.feb9c84443da0p-1, 0x1.febb8a5bff13cp-1,
    0x1.febd46cd2a7bap-1, 0x1.febefdb256d56p-1,
    0x1.fec0af256e6f4p-1, 0x1.fec25b3fba31ep-1,
    0x1.fec40219e681ep-1, 0x1.fec5a3cc07f32p-1,
    0x1.fec7406d9fd18p-1, 0x1.fec8d815a080ap-1,
    0x1.feca6ada71b32p-1, 0x1.fecbf8d1f47cap-1,
    0x1.fecd8211873e8p-1, 0x1.fecf06ae0972ap-1,
    0x1.fed086bbdf532p-1, 0x1.fed2024ef563ap-1,
    0x1.fed3797ac3da0p-1, 0x1.fed4ec5251ea8p-1,
    0x1.fed65ae838f64p-1, 0x1.fed7c54ea79fcp-1,
    0x1.fed92b9764c3ap-1, 0x1.feda8dd3d2592p-1,
    0x1.fedbec14f0396p-1, 0x1.fedd466b5ecfcp-1,
    0x1.fede9ce761b3ep-1, 0x1.fedfef98e22d4p-1,
    0x1.fee13e8f71a2ap-1, 0x1.fee289da4bf5ap-1,
    0x1.fee3d18859c9ap-1, 0x1.fee515a832ba0p-1,
    0x1.fee656481f7ccp-1, 0x1.fee793761bf48p-1,
    0x1.fee8cd3fd932ep-1, 0x1.feea03b2bf68ap-1,
    0x1.feeb36dbefc8ep-1, 0x1.feec66c8465b4p-1,
    0x1.feed93845bc16p-1, 0x1.feeebd1c86ed2p-1,
    0x1.feefe39cdecb0p-1, 0x1.fef107113bde2p-1,
    0x1.fef2278539d12p-1, 0x1.fef3450438fa0p-1,
    0x1.fef45f995fd32p-1, 0x1.fef5774f9c68ap-1,
    0x1.fef68c31a5bbap-1, 0x1.fef79e49fd1a0p-1,
    0x1.fef8ada2ef6cep-1, 0x1.fef9ba46967dap-1,
    0x1.fefac43eda30ap-1, 0x1.fefbcb9571b76p-1,
    0x1.fefcd053e4ba4p-1, 0x1.fefdd2838c792p-1,
    0x1.fefed22d94e3ap-1, 0x1.feffcf5afdaaep-1,
    0x1.ff00ca149b498p-1, 0x1.ff01c26318062p-1,
    0x1.ff02b84ef4ed4p-1, 0x1.ff03abe08ac52p-1,
    0x1.ff049d200afa8p-1, 0x1.ff058c158086cp-1,
    0x1.ff0678c8d0d06p-1, 0x1.ff076341bc844p-1,
    0x1.ff084b87e06a0p-1, 0x1.ff0931a2b6324p-1,
    0x1.ff0a1599953fap-1, 0x1.ff0af773b3694p-1,
    0x1.ff0bd73825ba2p-1, 0x1.ff0cb4ede1296p-1,
    0x1.ff0d909bbb4ecp-1, 0x1.ff0e6a486b126p-1,
    0x1.ff0f41fa89576p-1, 0x1.ff1017b891a24p-1,
    0x1.ff10eb88e2bbap-1, 0x1.ff11bd71bf4d8p-1,
    0x1.ff128d794e7dcp-1, 0x1.ff135ba59c83ap-1,
    0x1.ff1427fc9b3a2p-1, 0x1.ff14f28422ae8p-1,
    0x1.ff15bb41f1aaep-1, 0x1.ff16823bae3e0p-1,
    0x1.ff174776e63eap-1, 0x1.ff180af90fcc8p-1,
    0x1.ff18ccc789ce2p-1, 0x1.ff198ce79c6a4p-1,
    0x1.ff1a4b5e79800p-1, 0x1.ff1b08313d1b4p-1,
    0x1.ff1bc364ede58p-1, 0x1.ff1c7cfe7d956p-1,
    0x1.ff1d3502c95a8p-1, 0x1.ff1deb769a470p-1,
    0x1.ff1ea05ea5b66p-1, 0x1.ff1f53bf8db20p-1,
    0x1.ff20059de1536p-1, 0x1.ff20b5fe1d23cp-1,
    0x1.ff2164e4ab79ep-1, 0x1.ff221255e4d4cp-1,
    0x1.ff22be5610354p-1, 0x1.ff2368e963750p-1,
    0x1.ff241214039b8p-1, 0x1.ff24b9da05312p-1,
    0x1.ff25603f6c902p-1, 0x1.ff2605482e340p-1,
    0x1.ff26a8f82f072p-1, 0x1.ff274b5344ae2p-1,
    0x1.ff27ec5d35d1ep-1, 0x1.ff288c19ba680p-1,
    0x1.ff292a8c7bf94p-1, 0x1.ff29c7b915e6cp-1,
    0x1.ff2a63a315ad2p-1, 0x1.ff2afe4dfb272p-1,
    0x1.ff2b97bd38cd6p-1, 0x1.ff2c2ff433f60p-1,
    0x1.ff2cc6f645126p-1, 0x1.ff2d5cc6b7eaep-1,
    0x1.ff2df168cbda6p-1, 0x1.ff2e84dfb4080p-1,
    0x1.ff2f172e979f2p-1, 0x1.ff2fa85892070p-1,
    0x1.ff303860b318cp-1, 0x1.ff30c749ff540p-1,
    0x1.ff3155177012ep-1, 0x1.ff31e1cbf3bc8p-1,
    0x1.ff326d6a6df6ap-1, 0x1.ff32f7f5b7d5ep-1,
    0x1.ff338170a00d8p-1, 0x1.ff3409ddeb1dep-1,
    0x1.ff34914053818p-1, 0x1.ff35179a89da4p-1,
    0x1.ff359cef351c4p-1, 0x1.ff362140f2b92p-1,
    0x1.ff36a49256c9ap-1, 0x1.ff3726e5ec364p-1,
    0x1.ff37a83e34e00p-1, 0x1.ff38289da9c72p-1,
    0x1.ff38a806bb31ap-1, 0x1.ff39267bd0d12p-1,
    0x1.ff39a3ff49e7ep-1, 0x1.ff3a20937d6cap-1,
    0x1.ff3a9c3aba2e6p-1, 0x1.ff3b16f746f6ap-1,
    0x1.ff3b90cb62ac2p-1, 0x1.ff3c09b944738p-1,
    0x1.ff3c81c31bd04p-1, 0x1.ff3cf8eb10c52p-1,
    0x1.ff3d6f3343f2ep-1, 0x1.ff3de49dceb76p-1,
    0x1.ff3e592cc34bep-1, 0x1.ff3ecce22ce24p-1,
    0x1.ff3f3fc00fc28p-1, 0x1.ff3fb1c86966cp-1,
    0x1.ff4022fd30974p-1, 0x1.ff4093605585ep-1,
    0x1.ff4102f3c1e8ap-1, 0x1.ff4171b959148p-1,
    0x1.ff41dfb2f816ap-1, 0x1.ff424ce275cdep-1,
    0x1.ff42b949a303cp-1, 0x1.ff4324ea4a848p-1,
    0x1.ff438fc631376p-1, 0x1.ff43f9df1635ap-1,
    0x1.ff446336b2e1ep-1, 0x1.ff44cbcebafe4p-1,
    0x1.ff4533a8dcc30p-1, 0x1.ff459ac6c0f40p-1,
    0x1.ff46012a0af5ep-1, 0x1.ff4666d458e38p-1,
    0x1.ff46cbc743a18p-1, 0x1.ff4730045ef3cp-1,
    0x1.ff47938d39902p-1, 0x1.ff47f6635d322p-1,
    0x1.ff4858884eae8p-1, 0x1.ff48b9fd8e052p-1,
    0x1.ff491ac496742p-1, 0x1.ff497adede898p-1,
    0x1.ff49da4dd8350p-1, 0x1.ff4a3912f0d94p-1,
    0x1.ff4a972f915d8p-1, 0x1.ff4af4a51e3d6p-1,
    0x1.ff4b5174f79aap-1, 0x1.ff4bada0794c0p-1,
    0x1.ff4c0928faee4p-1, 0x1.ff4c640fcff32p-1,
    0x1.ff4cbe5647b0cp-1, 0x1.ff4d17fdad710p-1,
    0x1.ff4d710748800p-1, 0x1.ff4dc9745c3acp-1,
    0x1.ff4e2146281d8p-1, 0x1.ff4e787de7d20p-1,
    0x1.ff4ecf1cd33c8p-1, 0x1.ff4f25241e8a6p-1,
    0x1.ff4f7a94fa3e8p-1, 0x1.ff4fcf70933f0p-1,
    0x1.ff5023b812e1ep-1, 0x1.ff50776c9ef9ap-1,
    0x1.ff50ca8f59e18p-1, 0x1.ff511d21628a4p-1,
    0x1.ff516f23d4858p-1, 0x1.ff51c097c8120p-1,
    0x1.ff52117e52272p-1, 0x1.ff5261d884802p-1,
    0x1.ff52b1a76da78p-1, 0x1.ff5300ec19020p-1,
    0x1.ff534fa78ed94p-1, 0x1.ff539ddad466ep-1,
    0x1.ff53eb86ebdeap-1, 0x1.ff5438acd478cp-1,
    0x1.ff54854d8a7bep-1, 0x1.ff54d16a0747ap-1,
    0x1.ff551d03415dep-1, 0x1.ff55681a2c6cap-1,
    0x1.ff55b2afb9570p-1, 0x1.ff55fcc4d63fap-1,
    0x1.ff56465a6e90cp-1, 0x1.ff568f716b058p-1,
    0x1.ff56d80ab1b36p-1, 0x1.ff57202726122p-1,
    0x1.ff5767c7a904ep-1, 0x1.ff57aeed18e28p-1,
    0x1.ff57f598517dap-1, 0x1.ff583bca2c2d6p-1,
    0x1.ff5881837fd4ap-1, 0x1.ff58c6c520eaep-1,
    0x1.ff590b8fe1830p-1, 0x1.ff594fe49153ep-1,
    0x1.ff5993c3fdbf2p-1, 0x1.ff59d72ef1d94p-1,
    0x1.ff5a1a2636704p-1, 0x1.ff5a5caa92134p-1,
    0x1.ff5a9ebcc9196p-1, 0x1.ff5ae05d9da92p-1,
    0x1.ff5b218dcfbe4p-1, 0x1.ff5b624e1d31cp-1,
    0x1.ff5ba29f41bf8p-1, 0x1.ff5be281f70d2p-1,
    0x1.ff5c21f6f4b0cp-1, 0x1.ff5c60fef036cp-1,
    0x1.ff5c9f9a9d288p-1, 0x1.ff5cddcaad120p-1,
    0x1.ff5d1b8fcf884p-1, 0x1.ff5d58eab22f6p-1,
    0x1.ff5d95dc00bfcp-1, 0x1.ff5dd264650cap-1,
    0x1.ff5e0e8487090p-1, 0x1.ff5e4a3d0cce0p-1,
    0x1.ff5e858e9a9fcp-1, 0x1.ff5ec079d2f2cp-1,
    0x1.ff5efaff5671ep-1, 0x1.ff5f351fc402cp-1,
    0x1.ff5f6edbb8cbcp-1, 0x1.ff5fa833d0386p-1,
    0x1.ff5fe128a3fecp-1, 0x1.ff6019bacc240p-1,
    0x1.ff6051eadf020p-1, 0x1.ff6089b9714b0p-1,
    0x1.ff60c127160fap-1, 0x1.ff60f8345ec22p-1,
    0x1.ff612ee1db3c4p-1, 0x1.ff61653019c2ap-1,
    0x1.ff619b1fa70a0p-1, 0x1.ff61d0b10e3b4p-1,
    0x1.ff6205e4d8f78p-1, 0x1.ff623abb8f5cep-1,
    0x1.ff626f35b80a2p-1, 0x1.ff62a353d822ep-1,
    0x1.ff62d71673540p-1, 0x1.ff630a7e0bd74p-1,
    0x1.ff633d8b22772p-1, 0x1.ff63703e3692cp-1,
    0x1.ff63a297c6224p-1, 0x1.ff63d4984db98p-1,
    0x1.ff640640488ccp-1, 0x1.ff64379030736p-1,
    0x1.ff6468887dec8p-1, 0x1.ff649929a8216p-1,
    0x1.ff64c97424e9cp-1, 0x1.ff64f96868ceep-1,
    0x1.ff652906e70ecp-1, 0x1.ff655850119fcp-1,
    0x1.ff6587445933ep-1, 0x1.ff65b5e42d3bcp-1,
    0x1.ff65e42ffbe9ap-1, 0x1.ff66122832352p-1,
    0x1.ff663fcd3bddcp-1, 0x1.ff666d1f836e2p-1,
    0x1.ff669a1f723f0p-1, 0x1.ff66c6cd707a2p-1,
    0x1.ff66f329e51d2p-1, 0x1.ff671f3535fc4p-1,
    0x1.ff674aefc7c56p-1, 0x1.ff677659fe02ep-1,
    0x1.ff67a1743b1dcp-1, 0x1.ff67cc3ee0610p-1,
    0x1.ff67f6ba4dfbep-1, 0x1.ff6820e6e3048p-1,
    0x1.ff684ac4fd7a6p-1, 0x1.ff687454fa496p-1,
    0x1.ff689d97354b6p-1, 0x1.ff68c68c094b8p-1,
    0x1.ff68ef33d0080p-1, 0x1.ff69178ee234ep-1,
    0x1.ff693f9d977e4p-1, 0x1.ff696760468a4p-1,
    0x1.ff698ed744fbcp-1, 0x1.ff69b602e774ap-1,
    0x1.ff69dce381972p-1, 0x1.ff6a037966094p-1,
    0x1.ff6a29c4e675cp-1, 0x1.ff6a4fc6538f2p-1,
    0x1.ff6a757dfd10cp-1, 0x1.ff6a9aec31c20p-1,
    0x1.ff6ac0113f770p-1, 0x1.ff6ae4ed7313cp-1,
    0x1.ff6b0981188d2p-1, 0x1.ff6b2dcc7aeb6p-1,
    0x1.ff6b51cfe44bep-1, 0x1.ff6b758b9de28p-1,
    0x1.ff6b98ffeffc2p-1, 0x1.ff6bbc2d21ffep-1,
    0x1.ff6bdf137a714p-1, 0x1.ff6c01b33ef16p-1,
    0x1.ff6c240cb4414p-1, 0x1.ff6c46201e42ep-1,
    0x1.ff6c67edbffb6p-1, 0x1.ff6c8975db942p-1,
    0x1.ff6caab8b25ccp-1, 0x1.ff6ccbb684cc6p-1,
    0x1.ff6cec6f92834p-1, 0x1.ff6d0ce41a4c8p-1,
    0x1.ff6d2d145a1f2p-1, 0x1.ff6d4d008f1fcp-1,
    0x1.ff6d6ca8f5a20p-1, 0x1.ff6d8c0dc929cp-1,
    0x1.ff6dab2f446cep-1, 0x1.ff6dca0da1544p-1,
    0x1.ff6de8a918fcep-1, 0x1.ff6e0701e3ba0p-1,
    0x1.ff6e251839158p-1, 0x1.ff6e42ec4fd16p-1,
    0x1.ff6e607e5de9ap-1, 0x1.ff6e7dce98944p-1,
    0x1.ff6e9add3443cp-1, 0x1.ff6eb7aa64a72p-1,
    0x1.ff6ed4365cabep-1, 0x1.ff6ef0814e7e6p-1,
    0x1.ff6f0c8b6b8bcp-1, 0x1.ff6f2854e4826p-1,
    0x1.ff6f43dde9530p-1, 0x1.ff6f5f26a9320p-1,
    0x1.ff6f7a2f52984p-1, 0x1.ff6f94f813440p-1,
    0x1.ff6faf811839ep-1, 0x1.ff6fc9ca8dc62p-1,
    0x1.ff6fe3d49f7d2p-1, 0x1.ff6ffd9f783c6p-1,
    0x1.ff70172b422bap-1, 0x1.ff70307826bdap-1,
    0x1.ff7049864eb08p-1, 0x1.ff706255e20f4p-1,
    0x1.ff707ae708326p-1, 0x1.ff709339e7c06p-1,
    0x1.ff70ab4ea6ae6p-1, 0x1.ff70c3256a41ep-1,
    0x1.ff70dabe57100p-1, 0x1.ff70f21990ff8p-1,
    0x1.ff7109373b488p-1, 0x1.ff7120177875ep-1,
    0x1.ff7136ba6a654p-1, 0x1.ff714d2032484p-1,
    0x1.ff716348f0a46p-1, 0x1.ff717934c5548p-1,
    0x1.ff718ee3cf888p-1, 0x1.ff71a4562dc68p-1,
    0x1.ff71b98bfdeb2p-1, 0x1.ff71ce855d29cp-1,
    0x1.ff71e342680dcp-1, 0x1.ff71f7c33a7a0p-1,
    0x1.ff720c07efaa4p-1, 0x1.ff722010a232cp-1,
    0x1.ff7233dd6c018p-1, 0x1.ff72476e665dep-1,
    0x1.ff725ac3a9e96p-1, 0x1.ff726ddd4ea02p-1,
    0x1.ff7280bb6bd90p-1, 0x1.ff72935e1845ep-1,
    0x1.ff72a5c569f44p-1, 0x1.ff72b7f1764d4p-1,
    0x1.ff72c9e252164p-1, 0x1.ff72db981170ap-1,
    0x1.ff72ed12c7da6p-1, 0x1.ff72fe52882e4p-1,
    0x1.ff730f5764a3ep-1, 0x1.ff7320216ed04p-1,
    0x1.ff7330b0b7a58p-1, 0x1.ff7341054f732p-1,
    0x1.ff73511f45e68p-1, 0x1.ff7360feaa0a4p-1,
    0x1.ff7370a38a474p-1, 0x1.ff73800df4642p-1,
    0x1.ff738f3df5856p-1, 0x1.ff739e339a2d8p-1,
    0x1.ff73aceeee3d2p-1, 0x1.ff73bb6ffcf2cp-1,
    0x1.ff73c9b6d0eb2p-1, 0x1.ff73d7c37420ap-1,
    0x1.ff73e595efec0p-1, 0x1.ff73f32e4d03ap-1,
    0x1.ff74008c937bcp-1, 0x1.ff740db0cac66p-1,
    0x1.ff741a9af9b2ep-1, 0x1.ff74274b266e4p-1,
    0x1.ff7433c15682ep-1, 0x1.ff743ffd8ed82p-1,
    0x1.ff744bffd3b26p-1, 0x1.ff7457c828b2ap-1,
    0x1.ff74635690d66p-1, 0x1.ff746eab0e778p-1,
    0x1.ff7479c5a34bcp-1, 0x1.ff7484a65064ap-1,
    0x1.ff748f4d162eep-1, 0x1.ff7499b9f4728p-1,
    0x1.ff74a3ecea522p-1, 0x1.ff74ade5f64aep-1,
    0x1.ff74b7a516338p-1, 0x1.ff74c12a473ccp-1,
    0x1.ff74ca7585f06p-1, 0x1.ff74d386ce30ap-1,
    0x1.ff74dc5e1b386p-1, 0x1.ff74e4fb679a0p-1,
    0x1.ff74ed5ead3f2p-1, 0x1.ff74f587e5688p-1,
    0x1.ff74fd7708ac8p-1, 0x1.ff75052c0ef7cp-1,
    0x1.ff750ca6ef8b8p-1, 0x1.ff7513e7a0fdap-1,
    0x1.ff751aee1937ep-1, 0x1.ff7521ba4d76ep-1,
    0x1.ff75284c324a4p-1, 0x1.ff752ea3bb930p-1,
    0x1.ff7534c0dc836p-1, 0x1.ff753aa3879e4p-1,
    0x1.ff75404baeb5ap-1, 0x1.ff7545b942eacp-1,
    0x1.ff754aec34acap-1, 0x1.ff754fe473b78p-1,
    0x1.ff7554a1ef144p-1, 0x1.ff7559249516ap-1,
    0x1.ff755d6c535dap-1, 0x1.ff75617916d16p-1,
    0x1.ff75654acba30p-1, 0x1.ff7568e15d4b2p-1,
    0x1.ff756c3cb6898p-1, 0x1.ff756f5cc1630p-1,
    0x1.ff7572416721cp-1, 0x1.ff7574ea90530p-1,
    0x1.ff75775824c6ep-1, 0x1.ff75798a0b8eap-1,
    0x1.ff757b802afbcp-1, 0x1.ff757d3a689eep-1,
    0x1.ff757eb8a9464p-1, 0x1.ff757ffad0fd2p-1,
    0x1.ff758100c309ap-1, 0x1.ff7581ca61ec4p-1,
    0x1.ff7582578f5e2p-1, 0x1.ff7582a82c4f8p-1,
    0x1.ff7582bc18e70p-1, 0x1.ff758293347fcp-1,
    0x1.ff75822d5da7ep-1, 0x1.ff75818a721f4p-1,
    0x1.ff7580aa4ed62p-1, 0x1.ff757f8ccfeaep-1,
    0x1.ff757e31d0a9cp-1, 0x1.ff757c992b89cp-1,
    0x1.ff757ac2ba2c2p-1, 0x1.ff7578ae555a4p-1,
    0x1.ff75765bd5040p-1, 0x1.ff7573cb103e2p-1,
    0x1.ff7570fbdd402p-1, 0x1.ff756dee11630p-1,
    0x1.ff756aa1811eep-1, 0x1.ff75671600098p-1,
    0x1.ff75634b60d44p-1, 0x1.ff755f41754a0p-1,
    0x1.ff755af80e4d6p-1, 0x1.ff75566efbd6cp-1,
    0x1.ff7551a60cf1ep-1, 0x1.ff754c9d0fbbep-1,
    0x1.ff754753d1618p-1, 0x1.ff7541ca1e1c6p-1,
    0x1.ff753bffc1312p-1, 0x1.ff7535f484ed2p-1,
    0x1.ff752fa832a3ep-1, 0x1.ff75291a92ad0p-1,
    0x1.ff75224b6c618p-1, 0x1.ff751b3a8619cp-1,
    0x1.ff7513e7a52a8p-1, 0x1.ff750c528de2cp-1,
    0x1.ff75047b0388ep-1, 0x1.ff74fc60c8586p-1,
    0x1.ff74f4039d7e8p-1, 0x1.ff74eb6343186p-1,
    0x1.ff74e27f782fap-1, 0x1.ff74d957fab78p-1,
    0x1.ff74cfec878a6p-1, 0x1.ff74c63cda66cp-1,
    0x1.ff74bc48adebcp-1, 0x1.ff74b20fbb96cp-1,
    0x1.ff74a791bbbfcp-1, 0x1.ff749cce6596ap-1,
    0x1.ff7491c56f1f6p-1, 0x1.ff7486768d2f6p-1,
    0x1.ff747ae17369ap-1, 0x1.ff746f05d43bep-1,
    0x1.ff7462e360da4p-1, 0x1.ff745679c93ccp-1,
    0x1.ff7449c8bc1acp-1, 0x1.ff743ccfe6e80p-1,
    0x1.ff742f8ef5d0ap-1, 0x1.ff74220593b52p-1,
    0x1.ff7414336a270p-1, 0x1.ff74061821644p-1,
    0x1.ff73f7b36053ap-1, 0x1.ff73e904cc80ap-1,
    0x1.ff73da0c0a176p-1, 0x1.ff73cac8bbdfcp-1,
    0x1.ff73bb3a833a2p-1, 0x1.ff73ab61001a0p-1,
    0x1.ff739b3bd101ep-1, 0x1.ff738aca92ff0p-1,
    0x1.ff737a0ce1a44p-1, 0x1.ff73690257058p-1,
    0x1.ff7357aa8bb30p-1, 0x1.ff73460516b42p-1,
    0x1.ff7334118d82cp-1, 0x1.ff7321cf8405ep-1,
    0x1.ff730f3e8c8c8p-1, 0x1.ff72fc5e37c88p-1,
    0x1.ff72e92e14c8cp-1, 0x1.ff72d5adb0f44p-1,
    0x1.ff72c1dc98042p-1, 0x1.ff72adba53fdep-1,
    0x1.ff7299466d2dep-1, 0x1.ff7284806a216p-1,
    0x1.ff726f67cfa02p-1, 0x1.ff7259fc20a6ap-1,
    0x1.ff72443cde5fcp-1, 0x1.ff722e29881e4p-1,
    0x1.ff7217c19b568p-1, 0x1.ff72010493976p-1,
    0x1.ff71e9f1ea842p-1, 0x1.ff71d28917cd0p-1,
    0x1.ff71bac99128ap-1, 0x1.ff71a2b2ca4c8p-1,
    0x1.ff718a4434e5ap-1, 0x1.ff71717d4091ap-1,
    0x1.ff71585d5ad6cp-1, 0x1.ff713ee3ef1c4p-1,
    0x1.ff71251066a26p-1, 0x1.ff710ae2287aap-1,
    0x1.ff70f058997f4p-1, 0x1.ff70d5731c4b2p-1,
    0x1.ff70ba3111312p-1, 0x1.ff709e91d633cp-1,
    0x1.ff708294c6fbcp-1, 0x1.ff7066393ccf6p-1,
    0x1.ff70497e8e898p-1, 0x1.ff702c64108f8p-1,
    0x1.ff700ee914c88p-1, 0x1.ff6ff10cea92ep-1,
    0x1.ff6fd2cedebb0p-1, 0x1.ff6fb42e3b704p-1,
    0x1.ff6f952a483b6p-1, 0x1.ff6f75c249f3ep-1,
    0x1.ff6f55f582b4ap-1, 0x1.ff6f35c331d18p-1,
    0x1.ff6f152a93cbap-1, 0x1.ff6ef42ae2466p-1,
    0x1.ff6ed2c353fb8p-1, 0x1.ff6eb0f31caf0p-1,
    0x1.ff6e8eb96d234p-1, 0x1.ff6e6c15730c8p-1,
    0x1.ff6e49065903cp-1, 0x1.ff6e258b467a8p-1,
    0x1.ff6e01a35fad0p-1, 0x1.ff6ddd4dc5952p-1,
    0x1.ff6db88995dc0p-1, 0x1.ff6d9355eaccap-1,
    0x1.ff6d6db1db452p-1, 0x1.ff6d479c7aa7ep-1,
    0x1.ff6d2114d8cd2p-1, 0x1.ff6cfa1a01f30p-1,
    0x1.ff6cd2aafeae2p-1, 0x1.ff6caac6d3da0p-1,
    0x1.ff6c826c82882p-1, 0x1.ff6c599b07efap-1,
    0x1.ff6c30515d5c0p-1, 0x1.ff6c068e781c0p-1,
    0x1.ff6bdc51496fcp-1, 0x1.ff6bb198be766p-1,
    0x1.ff6b8663c01bap-1, 0x1.ff6b5ab13304ep-1,
    0x1.ff6b2e7ff77d6p-1, 0x1.ff6b01cee962ep-1,
    0x1.ff6ad49ce0116p-1, 0x1.ff6aa6e8ae4dcp-1,
    0x1.ff6a78b122312p-1, 0x1.ff6a49f505132p-1,
    0x1.ff6a1ab31b736p-1, 0x1.ff69eaea24e32p-1,
    0x1.ff69ba98dbee0p-1, 0x1.ff6989bdf6020p-1,
    0x1.ff6958582357ep-1, 0x1.ff6926660ed96p-1,
    0x1.ff68f3e65e08cp-1, 0x1.ff68c0d7b0e62p-1,
    0x1.ff688d38a1d50p-1, 0x1.ff685907c5814p-1,
    0x1.ff682443aac34p-1, 0x1.ff67eeeada832p-1,
    0x1.ff67b8fbd79b6p-1, 0x1.ff6782751ebb8p-1,
    0x1.ff674b5526494p-1, 0x1.ff67139a5e410p-1,
    0x1.ff66db433015cp-1, 0x1.ff66a24dfe904p-1,
    0x1.ff6668b925adcp-1, 0x1.ff662e82fa7cap-1,
    0x1.ff65f3a9cafa0p-1, 0x1.ff65b82bdded0p-1,
    0x1.ff657c0772c16p-1, 0x1.ff653f3ac1624p-1,
    0x1.ff6501c3fa12ap-1, 0x1.ff64c3a14545cp-1,
    0x1.ff6484d0c375ap-1, 0x1.ff6445508cf9ap-1,
    0x1.ff64051eb1db8p-1, 0x1.ff63c43939aaap-1,
    0x1.ff63829e234f4p-1, 0x1.ff63404b64dc2p-1,
    0x1.ff62fd3eeb5ecp-1, 0x1.ff62b9769aae4p-1,
    0x1.ff6274f04d3a0p-1, 0x1.ff622fa9d3d56p-1,
    0x1.ff61e9a0f583cp-1, 0x1.ff61a2d36f41ep-1,
    0x1.ff615b3ef3ce8p-1, 0x1.ff6112e12b712p-1,
    0x1.ff60c9b7b3c00p-1, 0x1.ff607fc01f632p-1,
    0x1.ff6034f7f5d74p-1, 0x1.ff5fe95cb32e2p-1,
    0x1.ff5f9cebc7cd8p-1, 0x1.ff5f4fa2982bep-1,
    0x1.ff5f017e7c8c2p-1, 0x1.ff5eb27cc0b70p-1,
    0x1.ff5e629aa3b1ap-1, 0x1.ff5e11d557742p-1,
    0x1.ff5dc02a009c2p-1, 0x1.ff5d6d95b61e0p-1,
    0x1.ff5d1a1580f3ep-1, 0x1.ff5cc5a65bca6p-1,
    0x1.ff5c704532aaep-1, 0x1.ff5c19eee2a32p-1,
    0x1.ff5bc2a0396a8p-1, 0x1.ff5b6a55f5050p-1,
    0x1.ff5b110cc362cp-1, 0x1.ff5ab6c141fd6p-1,
    0x1.ff5a5b6ffd726p-1, 0x1.ff59ff15711a2p-1,
    0x1.ff59a1ae069bep-1, 0x1.ff594336157f4p-1,
    0x1.ff58e3a9e2b92p-1, 0x1.ff588305a0368p-1,
    0x1.ff5821456c626p-1, 0x1.ff57be6551a9ap-1,
    0x1.ff575a6145f8cp-1, 0x1.ff56f5352a388p-1,
    0x1.ff568edcc9c3ap-1, 0x1.ff562753d9da6p-1,
    0x1.ff55be95f910ep-1, 0x1.ff55549eaeb8ap-1,
    0x1.ff54e9696a458p-1, 0x1.ff547cf182ae8p-1,
    0x1.ff540f3235c80p-1, 0x1.ff53a026a79a2p-1,
    0x1.ff532fc9e1b10p-1, 0x1.ff52be16d266cp-1,
    0x1.ff524b084c292p-1, 0x1.ff51d69904b6ep-1,
    0x1.ff5160c394592p-1, 0x1.ff50e9827513ep-1,
    0x1.ff5070d001d14p-1, 0x1.ff4ff6a67584ep-1,
    0x1.ff4f7affea47ap-1, 0x1.ff4efdd6586c6p-1,
    0x1.ff4e7f23958bep-1, 0x1.ff4dfee153892p-1,
    0x1.ff4d7d091f8bep-1, 0x1.ff4cf99460f36p-1,
    0x1.ff4c747c583f0p-1, 0x1.ff4bedba1decep-1,
    0x1.ff4b6546a14e6p-1, 0x1.ff4adb1aa7530p-1,
    0x1.ff4a4f2ec9464p-1, 0x1.ff49c17b73838p-1,
    0x1.ff4931f8e41d0p-1, 0x1.ff48a09f29772p-1,
    0x1.ff480d6620d52p-1, 0x1.ff47784574d9cp-1,
    0x1.ff46e1349bf86p-1, 0x1.ff46482ad6d7cp-1,
    0x1.ff45ad1f2ea56p-1, 0x1.ff45100873586p-1,
    0x1.ff4470dd39e2cp-1, 0x1.ff43cf93da528p-1,
    0x1.ff432c226dde4p-1, 0x1.ff42867eccdfep-1,
    0x1.ff41de9e8cbaap-1, 0x1.ff413476fdaaep-1,
    0x1.ff4087fd2881cp-1, 0x1.ff3fd925cc472p-1,
    0x1.ff3f27e55bc50p-1, 0x1.ff3e742ffaf8ep-1,
    0x1.ff3dbdf97c69cp-1, 0x1.ff3d05355e632p-1,
    0x1.ff3c49d6c811ep-1, 0x1.ff3b8bd086824p-1,
    0x1.ff3acb15097e4p-1, 0x1.ff3a079660494p-1,
    0x1.ff39414636388p-1, 0x1.ff387815cf25cp-1,
    0x1.ff37abf603baep-1, 0x1.ff36dcd73d93ep-1,
    0x1.ff360aa97335ep-1, 0x1.ff35355c23d7ap-1,
    0x1.ff345cde52fa6p-1, 0x1.ff33811e83cfep-1,
    0x1.ff32a20ab46b6p-1, 0x1.ff31bf9058b9cp-1,
    0x1.ff30d99c553f0p-1, 0x1.ff2ff01af994ep-1,
    0x1.ff2f02f7faa76p-1, 0x1.ff2e121e6caccp-1,
    0x1.ff2d1d78bcd30p-1, 0x1.ff2c24f0aa9fcp-1,
    0x1.ff2b286f40ff6p-1, 0x1.ff2a27dccefc8p-1,
    0x1.ff292320e01bcp-1, 0x1.ff281a2234578p-1,
    0x1.ff270cc6b7b44p-1, 0x1.ff25faf379688p-1,
    0x1.ff24e48ca291ap-1, 0x1.ff23c9756c6e6p-1,
    0x1.ff22a99016188p-1, 0x1.ff2184bdd9b42p-1,
    0x1.ff205adee10dcp-1, 0x1.ff1f2bd2399d8p-1,
    0x1.ff1df775c7e46p-1, 0x1.ff1cbda63a1c6p-1,
    0x1.ff1b7e3efa2bcp-1, 0x1.ff1a391a1ed42p-1,
    0x1.ff18ee105c0bep-1, 0x1.ff179cf8f277ep-1,
    0x1.ff1645a99df44p-1, 0x1.ff14e7f6831b6p-1,
    0x1.ff1383b21bbd2p-1, 0x1.ff1218ad222e8p-1,
    0x1.ff10a6b67b62cp-1, 0x1.ff0f2d9b1fb36p-1,
    0x1.ff0dad260242ap-1, 0x1.ff0c251ff6dc6p-1,
    0x1.ff0a954f963bep-1, 0x1.ff08fd792096ap-1,
    0x1.ff075d5e5e4c2p-1, 0x1.ff05b4be7e976p-1,
    0x1.ff040355f41b4p-1, 0x1.ff0248de4f200p-1,
    0x1.ff00850e1554cp-1, 0x1.fefeb79896e20p-1,
    0x1.fefce02dc0988p-1, 0x1.fefafe79eb008p-1,
    0x1.fef91225a608cp-1, 0x1.fef71ad5810eap-1,
    0x1.fef51829cef30p-1, 0x1.fef309be65e4cp-1,
    0x1.fef0ef2a5a86ap-1, 0x1.feeec7ffb607ep-1,
    0x1.feec93cb26c08p-1, 0x1.feea5213aad4cp-1,
    0x1.fee8025a34586p-1, 0x1.fee5a4194658ep-1,
    0x1.fee336c48a2aap-1, 0x1.fee0b9c85c3fep-1,
    0x1.fede2c894fbb8p-1, 0x1.fedb8e63a7e12p-1,
    0x1.fed8deaac662ap-1, 0x1.fed61ca88d768p-1,
    0x1.fed3479cb47bep-1, 0x1.fed05ebc0dd34p-1,
    0x1.fecd612fbc640p-1, 0x1.feca4e14571c2p-1,
    0x1.fec72478f8812p-1, 0x1.fec3e35e382d8p-1,
    0x1.fec089b50bcfap-1, 0x1.febd165d8cf34p-1,
    0x1.feb98825a0820p-1, 0x1.feb5ddc77c7fep-1,
    0x1.feb215e808136p-1, 0x1.feae2f15115dap-1,
    0x1.feaa27c354088p-1, 0x1.fea5fe4c4ab78p-1,
    0x1.fea1b0ebc4b44p-1, 0x1.fe9d3dbd38320p-1,
    0x1.fe98a2b8c864ep-1, 0x1.fe93ddaff54dap-1,
    0x1.fe8eec49e9910p-1, 0x1.fe89cbff58d02p-1,
    0x1.fe847a15ded0cp-1, 0x1.fe7ef39acd24ep-1,
    0x1.fe79355d51f26p-1, 0x1.fe733be7dec94p-1,
    0x1.fe6d0378b20eap-1, 0x1.fe6687f96032ep-1,
    0x1.fe5fc4f53381ep-1, 0x1.fe58b58e31928p-1,
    0x1.fe5154708be3ap-1, 0x1.fe499bc4359d8p-1,
    0x1.fe41851c4a2c6p-1, 0x1.fe390963decfcp-1,
    0x1.fe3020c7c359cp-1, 0x1.fe26c29c9b0d2p-1,
    0x1.fe1ce54094388p-1, 0x1.fe127df7d9d7cp-1,
    0x1.fe0780c2a3654p-1, 0x1.fdfbe02b80704p-1,
    0x1.fdef8d0c228c6p-1, 0x1.fde2764671edap-1,
    0x1.fdd4886f1e212p-1, 0x1.fdc5ad660fb44p-1,
    0x1.fdb5cbd80ed3ap-1, 0x1.fda4c6a383af4p-1,
    0x1.fd927c1841e8cp-1, 0x1.fd7ec507a1246p-1,
    0x1.fd697396681f0p-1, 0x1.fd5251bcca40ep-1,
    0x1.fd391f592d6f4p-1, 0x1.fd1d8faf7a490p-1,
    0x1.fcff461e8ca44p-1, 0x1.fcddd1bd07028p-1,
    0x1.fcb8a769788b2p-1, 0x1.fc8f199f36e14p-1,
    0x1.fc604d032640cp-1, 0x1.fc2b28000dbcap-1,
    0x1.fbee3ac0cc16ap-1, 0x1.fba79b024d12cp-1,
    0x1.fb54abd9de690p-1, 0x1.faf1c31164e6cp-1,
    0x1.fa79908ab5576p-1, 0x1.f9e40f74adba6p-1,
    0x1.f92485b7f7ce4p-1, 0x1.f82566f32613cp-1,
    0x1.f6beeb86a3986p-1, 0x1.f49e14c562fc0p-1,
    0x1.f0f1b3f87a334p-1, 0x1.e8d218970e9f8p-1,
};
static const double zig_f[1024] = {
    0x1.0000000000000p+0,  0x1.fb59eacab42edp-1,  0x1.f7d8d3e98140dp-1,  0x1.f4dab51fa0612p-1,
    0x1.f22bd53d4bc4ap-1,  0x1.efb3e4eac492ep-1,  0x1.ed6521254dd30p-1,  0x1.eb36d4600b0e7p-1,
    0x1.e9230e36fcf4ep-1,  0x1.e72588bafc58dp-1,  0x1.e53b105821257p-1,  0x1.e3612b51be43ep-1,
    0x1.e195e307b5c8dp-1,  0x1.dfd7a0738f814p-1,  0x1.de251430f7b9ap-1,  0x1.dc7d25c70242cp-1,
    0x1.dadee7ac86300p-1,  0x1.d9498e7bfb50bp-1,  0x1.d7bc6a5bb8a01p-1,  0x1.d636e1f632026p-1,
    0x1.d4b86e93b192bp-1,  0x1.d34099097aed3p-1,  0x1.d1cef748e1c1ap-1,  0x1.d0632a680b120p-1,
    0x1.cefcdd08788a0p-1,  0x1.cd9bc206c1e35p-1,  0x1.cc3f936409b0ap-1,  0x1.cae8115d73e45p-1,
    0x1.c99501a89d5afp-1,  0x1.c8462ece17feep-1,  0x1.c6fb679c721dfp-1,  0x1.c5b47eaf74d39p-1,
    0x1.c4714a0825f1bp-1,  0x1.c331a2b2c7519p-1,  0x1.c1f5647894ba0p-1,  0x1.c0bc6d9b6bd50p-1,
    0x1.bf869e99dde4dp-1,  0x1.be53d9fa6e111p-1,  0x1.bd24041cf517cp-1,  0x1.bbf703114ec82p-1,
    0x1.baccbe7299225p-1,  0x1.b9a51f4669f41p-1,  0x1.b8800fdf77a25p-1,  0x1.b75d7bc34582ep-1,
    0x1.b63d4f927482bp-1,  0x1.b51f78f3667d9p-1,  0x1.b403e67eee181p-1,  0x1.b2ea87aece8d1p-1,
    0x1.b1d34ccdd6feep-1,  0x1.b0be26e96bc0ep-1,  0x1.afab07c455e9dp-1,  0x1.ae99e1cab682fp-1,
    0x1.ad8aa806feeffp-1,  0x1.ac7d4e17d3dd2p-1,  0x1.ab71c826c32ebp-1,  0x1.aa680adfb82b1p-1,
    0x1.a9600b691b7e3p-1,  0x1.a859bf5c8ec33p-1,  0x1.a7551cc035149p-1,  0x1.a6521a007bb2fp-1,
    0x1.a550adea5738bp-1,  0x1.a450cfa5eb041p-1,  0x1.a35276b19196ap-1,  0x1.a2559add3d978p-1,
    0x1.a15a34462bfd5p-1,  0x1.a0603b52e0a09p-1,  0x1.9f67a8af671fcp-1,  0x1.9e707549d2937p-1,
    0x1.9d7a9a4ef7156p-1,  0x1.9c86112758942p-1,  0x1.9b92d3744ad81p-1,  0x1.9aa0db0d3efafp-1,
    0x1.99b021fd3aeb7p-1,  0x1.98c0a28077e0bp-1,  0x1.97d2570224e6cp-1,  0x1.96e53a1a4aec0p-1,
    0x1.95f9468bcfeeep-1,  0x1.950e7742971d3p-1,  0x1.9424c751bbe61p-1,  0x1.933c31f1e626bp-1,
    0x1.9254b27fb5c1cp-1,  0x1.916e447a44120p-1,  0x1.9088e381b9c88p-1,  0x1.8fa48b55f7e3fp-1,
    0x1.8ec137d55285fp-1,  0x1.8ddee4fb5c865p-1,  0x1.8cfd8edfc2b62p-1,  0x1.8c1d31b535db8p-1,
    0x1.8b3dc9c8627e6p-1,  0x1.8a5f537ef5b11p-1,  0x1.8981cb56ae0d6p-1,  0x1.88a52de4782dcp-1,
    0x1.87c977d395f5ep-1,  0x1.86eea5e4d00b7p-1,  0x1.8614b4edb0e92p-1,  0x1.853ba1d7c900dp-1,
    0x1.8463699ffb6b0p-1,  0x1.838c0955d2a9fp-1,  0x1.82b57e1add0f3p-1,  0x1.81dfc52210594p-1,
    0x1.810adbaf34263p-1,  0x1.8036bf1652dd5p-1,  0x1.7f636cbb30b9ep-1,  0x1.7e90e210c8a3ap-1,
    0x1.7dbf1c98ce89dp-1,  0x1.7cee19e336f6cp-1,  0x1.7c1dd78dc399cp-1,  0x1.7b4e534394869p-1,
    0x1.7a7f8abcbdeefp-1,  0x1.79b17bbde21d4p-1,  0x1.78e42417cf7bbp-1,  0x1.781781a722751p-1,
    0x1.774b9253eb00ap-1,  0x1.7680541155abfp-1,  0x1.75b5c4dd57f86p-1,  0x1.74ebe2c05fe53p-1,
    0x1.7422abcd06802p-1,  0x1.735a1e1fc5589p-1,  0x1.729237deaeb48p-1,  0x1.71caf73928673p-1,
    0x1.71045a67a92a8p-1,  0x1.703e5fab785fcp-1,  0x1.6f79054e701c6p-1,  0x1.6eb449a2c167fp-1,
    0x1.6df02b02ba953p-1,  0x1.6d2ca7d08f9cap-1,  0x1.6c69be762464ap-1,  0x1.6ba76d64d8e15p-1,
    0x1.6ae5b31556f86p-1,  0x1.6a248e076216ap-1,  0x1.6963fcc1a864ep-1,  0x1.68a3fdd1958b1p-1,
    0x1.67e48fcb26f1fp-1,  0x1.6725b148c1737p-1,  0x1.666760eb086b4p-1,  0x1.65a99d58b619bp-1,
    0x1.64ec653e754adp-1,  0x1.642fb74ebc36bp-1,  0x1.63739241a88c6p-1,  0x1.62b7f4d4dc9e7p-1,
    0x1.61fcddcb5da42p-1,  0x1.61424bed73057p-1,  0x1.60883e0886a84p-1,  0x1.5fceb2ef06343p-1,
    0x1.5f15a97845448p-1,  0x1.5e5d2080607f3p-1,  0x1.5da516e82188bp-1,  0x1.5ced8b94e3cc0p-1,
    0x1.5c367d707a105p-1,  0x1.5b7feb6914d38p-1,  0x1.5ac9d4712963dp-1,  0x1.5a14377f59b0bp-1,
    0x1.595f138e5ccd4p-1,  0x1.58aa679ce81dap-1,  0x1.57f632ad9929bp-1,  0x1.574273c6e00ebp-1,
    0x1.568f29f2ea8b4p-1,  0x1.55dc543f8f9fep-1,  0x1.5529f1be3bbf0p-1,  0x1.54780183dd87dp-1,
    0x1.53c682a8d3078p-1,  0x1.53157448d77bep-1,  0x1.5264d582f1935p-1,  0x1.51b4a57962267p-1,
    0x1.5104e35193668p-1,  0x1.50558e34087d8p-1,  0x1.4fa6a54c4d9cap-1,  0x1.4ef827c8e873ep-1,
    0x1.4e4a14db4911ep-1,  0x1.4d9c6bb7bb266p-1,  0x1.4cef2b9557a5ep-1,  0x1.4c4253adf6ca6p-1,
    0x1.4b95e33e226eep-1,  0x1.4ae9d98508c2bp-1,  0x1.4a3e35c46f51bp-1,  0x1.4992f740a65f4p-1,
    0x1.48e81d407c90ep-1,  0x1.483da70d32e6bp-1,  0x1.479393f270fedp-1,  0x1.46e9e33e39a21p-1,
    0x1.46409440df971p-1,  0x1.4597a64cfaba6p-1,  0x1.44ef18b75d593p-1,  0x1.4446ead709ccbp-1,
    0x1.439f1c0528546p-1,  0x1.42f7ab9cfd2d5p-1,  0x1.425098fbdee4dp-1,  0x1.41a9e3812ce45p-1,
    0x1.41038a8e4635fp-1,  0x1.405d8d86807e7p-1,  0x1.3fb7ebcf1f2ccp-1,  0x1.3f12a4cf4adc7p-1,
    0x1.3e6db7f008ea9p-1,  0x1.3dc9249c333a1p-1,  0x1.3d24ea407028dp-1,  0x1.3c81084b2ab11p-1,
    0x1.3bdd7e2c8ab89p-1,  0x1.3b3a4b566d8acp-1,  0x1.3a976f3c5e7d0p-1,  0x1.39f4e9538fbc9p-1,
    0x1.3952b912d343cp-1,  0x1.38b0ddf293f6dp-1,  0x1.380f576ccee65p-1,  0x1.376e24fd0cb65p-1,
    0x1.36cd46205b2a3p-1,  0x1.362cba5546d28p-1,  0x1.358c811bd4ddfp-1,  0x1.34ec99f57d0a9p-1,
    0x1.344d046523b86p-1,  0x1.33adbfef141a7p-1,  0x1.330ecc18fa87dp-1,  0x1.32702869dee94p-1,
    0x1.31d1d46a1f454p-1,  0x1.3133cfa36a67ep-1,  0x1.309619a0baa67p-1,  0x1.2ff8b1ee50be7p-1,
    0x1.2f5b9819aecebp-1,  0x1.2ebecbb1936aap-1,  0x1.2e224c45f4c5fp-1,  0x1.2d861967fbf9ap-1,
    0x1.2cea32aa00603p-1,  0x1.2c4e979f8309bp-1,  0x1.2bb347dd2a464p-1,  0x1.2b1842f8bd471p-1,
    0x1.2a7d88891fd4bp-1,  0x1.29e318264e1b1p-1,  0x1.2948f16958899p-1,  0x1.28af13ec5fc80p-1,
    0x1.28157f4a90be8p-1,  0x1.277c332020b15p-1,  0x1.26e32f0a496f3p-1,  0x1.264a72a74591fp-1,
    0x1.25b1fd964cd17p-1,  0x1.2519cf7790678p-1,  0x1.2481e7ec37857p-1,  0x1.23ea46965bda3p-1,
    0x1.2352eb190628cp-1,  0x1.22bbd5182aeecp-1,  0x1.22250438a71a7p-1,  0x1.218e78203cd04p-1,
    0x1.20f83075903f1p-1,  0x1.20622ce024834p-1,  0x1.1fcc6d085897fp-1,  0x1.1f36f09764565p-1,
    0x1.1ea1b73755829p-1,  0x1.1e0cc0930ce62p-1,  0x1.1d780c563b773p-1,  0x1.1ce39a2d5f8cfp-1,
    0x1.1c4f69c5c2202p-1,  0x1.1bbb7acd74184p-1,  0x1.1b27ccf34ba47p-1,  0x1.1a945fe6e1a05p-1,
    0x1.1a0133588f042p-1,  0x1.196e46f96a605p-1,  0x1.18db9a7b4563fp-1,  0x1.18492d90aa6dfp-1,
    0x1.17b6ffecda292p-1,  0x1.17251143c9325p-1,  0x1.1693614a1dc87p-1,  0x1.1601efb52d872p-1,
    0x1.1570bc3afb2a6p-1,  0x1.14dfc692345c0p-1,  0x1.144f0e722f8a9p-1,  0x1.13be9392e9c94p-1,
    0x1.132e55ad04b89p-1,  0x1.129e5479c4782p-1,  0x1.120e8fb30da0cp-1,  0x1.117f071363473p-1,
    0x1.10efba55e506ep-1,  0x1.1060a9364d150p-1,  0x1.0fd1d370ee5b5p-1,  0x1.0f4338c2b29aep-1,
    0x1.0eb4d8e918963p-1,  0x1.0e26b3a232434p-1,  0x1.0d98c8aca3042p-1,  0x1.0d0b17c79de7bp-1,
    0x1.0c7da0b2e3f0cp-1,  0x1.0bf0632ec2642p-1,  0x1.0b635efc111dbp-1,  0x1.0ad693dc30ec3p-1,
    0x1.0a4a019109f31p-1,  0x1.09bda7dd0a134p-1,  0x1.093186832359dp-1,  0x1.08a59d46ca752p-1,
    0x1.0819ebebf52f9p-1,  0x1.078e723718f0ap-1,  0x1.07032fed2943dp-1,  0x1.067824d39664cp-1,
    0x1.05ed50b04bd19p-1,  0x1.0562b349aee22p-1,  0x1.04d84c669d656p-1,  0x1.044e1bce6c435p-1,
    0x1.03c42148e6246p-1,  0x1.033a5c9e4a1e6p-1,  0x1.02b0cd974a65bp-1,  0x1.022773fd0b03dp-1,
    0x1.019e4f9920932p-1,  0x1.011560358efe4p-1,  0x1.008ca59cc8457p-1,  0x1.00041f99ab479p-1,
    0x1.fef79bef05200p-2,  0x1.fde761040651ep-2,  0x1.fcd78e0a96e3fp-2,  0x1.fbc8229bc3f59p-2,
    0x1.fab91e5168c4cp-2,  0x1.f9aa80c62c746p-2,  0x1.f89c49957fda6p-2,  0x1.f78e785b9b565p-2,
    0x1.f6810cb57caf8p-2,  0x1.f5740640e4fadp-2,  0x1.f467649c56881p-2,  0x1.f35b276712d6cp-2,
    0x1.f24f4e4118926p-2,  0x1.f143d8cb21957p-2,  0x1.f038c6a6a0f3dp-2,  0x1.ef2e1775c10c1p-2,
    0x1.ee23cadb619f5p-2,  0x1.ed19e07b15f03p-2,  0x1.ec1057f922e7fp-2,  0x1.eb0730fa7d423p-2,
    0x1.e9fe6b24c7bf5p-2,  0x1.e8f6061e515c8p-2,  0x1.e7ee018e1392bp-2,  0x1.e6e65d1bb09acp-2,
    0x1.e5df186f71b87p-2,  0x1.e4d83332458a8p-2,  0x1.e3d1ad0dbe610p-2,  0x1.e2cb85ac10994p-2,
    0x1.e1c5bcb810feep-2,  0x1.e0c051dd33332p-2,  0x1.dfbb44c78818fp-2,  0x1.deb69523bc468p-2,
    0x1.ddb2429f167c4p-2,  0x1.dcae4ce77620cp-2,  0x1.dbaab3ab51c1ap-2,  0x1.daa77699b599cp-2,
    0x1.d9a49562421c0p-2,  0x1.d8a20fb52a82fp-2,  0x1.d79fe5433365ap-2,  0x1.d69e15bdb1502p-2,
    0x1.d59ca0d687621p-2,  0x1.d49b864025f00p-2,  0x1.d39ac5ad892b0p-2,  0x1.d29a5ed237cb1p-2,
    0x1.d19a516241befp-2,  0x1.d09a9d123edfbp-2,  0x1.cf9b41974da8ap-2,  0x1.ce9c3ea711f33p-2,
    0x1.cd9d93f7b3b70p-2,  0x1.cc9f413fddce0p-2,  0x1.cba14636bcbc7p-2,  0x1.caa3a293fd7cap-2,
    0x1.c9a6560fcc4edp-2,  0x1.c8a96062d38c6p-2,  0x1.c7acc1463a7f3p-2,  0x1.c6b07873a43c6p-2,
    0x1.c5b485a52e828p-2,  0x1.c4b8e895709bep-2,  0x1.c3bda0ff7a43cp-2,  0x1.c2c2ae9ed28f4p-2,
    0x1.c1c8112f76d98p-2,  0x1.c0cdc86dd9b36p-2,  0x1.bfd3d416e1d68p-2,  0x1.beda33e7e91afp-2,
    0x1.bde0e79ebb70fp-2,  0x1.bce7eef995dd3p-2,  0x1.bbef49b725787p-2,  0x1.baf6f79686721p-2,
    0x1.b9fef8574315cp-2,  0x1.b9074bb952d42p-2,  0x1.b80ff17d194e3p-2,  0x1.b718e9636563dp-2,
    0x1.b622332d7044dp-2,  0x1.b52bce9cdc856p-2,  0x1.b435bb73b5349p-2,  0x1.b33ff9746cf5dp-2,
    0x1.b24a8861dd1d9p-2,  0x1.b15567ff44cfcp-2,  0x1.b060981048216p-2,  0x1.af6c1858ef3cbp-2,
    0x1.ae77e89da587dp-2,  0x1.ad8408a338cd9p-2,  0x1.ac90782ed8698p-2,  0x1.ab9d370614756p-2,
    0x1.aaaa44eedcfa2p-2,  0x1.a9b7a1af81224p-2,  0x1.a8c54d0eae6f0p-2,  0x1.a7d346d36fefep-2,
    0x1.a6e18ec52d7c7p-2,  0x1.a5f024abaaeffp-2,  0x1.a4ff084f0767bp-2,  0x1.a40e3977bc835p-2,
    0x1.a31db7ee9da75p-2,  0x1.a22d837cd7419p-2,  0x1.a13d9bebee100p-2,  0x1.a04e0105be699p-2,
    0x1.9f5eb2947b88cp-2,  0x1.9e6fb062aed8ap-2,  0x1.9d80fa3b37438p-2,  0x1.9c928fe94883fp-2,
    0x1.9ba471386a76fp-2,  0x1.9ab69df478712p-2,  0x1.99c915e9a094dp-2,  0x1.98dbd8e4632aap-2,
    0x1.97eee6b191fb6p-2,  0x1.97023f1e4fac7p-2,  0x1.9615e1f80f1d3p-2,  0x1.9529cf0c92c6ap-2,
    0x1.943e0629ec1ccp-2,  0x1.9352871e7af18p-2,  0x1.926751b8ecd98p-2,  0x1.917c65c83c924p-2,
    0x1.9091c31bb16a5p-2,  0x1.8fa76982deab1p-2,  0x1.8ebd58cda303ap-2,  0x1.8dd390cc27f60p-2,
    0x1.8cea114ee1457p-2,  0x1.8c00da268c668p-2,  0x1.8b17eb242ff03p-2,  0x1.8a2f44191b0fap-2,
    0x1.8946e4d6e4fbep-2,  0x1.885ecd2f6c6c7p-2,  0x1.8776fcf4d7108p-2,  0x1.868f73f99107fp-2,
    0x1.85a832104c5d7p-2,  0x1.84c1370c00825p-2,  0x1.83da82bfe9cbdp-2,  0x1.82f414ff88f13p-2,
    0x1.820ded9ea28bdp-2,  0x1.81280c713e986p-2,  0x1.8042714ba7f92p-2,  0x1.7f5d1c026bf9ep-2,
    0x1.7e780c6a59d4fp-2,  0x1.7d9342588239ap-2,  0x1.7caebda236d3cp-2,  0x1.7bca7e1d09d48p-2,
    0x1.7ae6839ecd7c6p-2,  0x1.7a02cdfd93a6ep-2,  0x1.791f5d0fad569p-2,  0x1.783c30abaa430p-2,
    0x1.775948a858678p-2,  0x1.7676a4dcc3932p-2,  0x1.7594452034f9ep-2,  0x1.74b2294a32c6fp-2,
    0x1.73d051327fb03p-2,  0x1.72eebcb11a8a8p-2,  0x1.720d6b9e3ddf7p-2,  0x1.712c5dd25f841p-2,
    0x1.704b932630307p-2,  0x1.6f6b0b729b188p-2,  0x1.6e8ac690c5860p-2,  0x1.6daac45a0e733p-2,
    0x1.6ccb04a80e26ep-2,  0x1.6beb875495d13p-2,  0x1.6b0c4c39af299p-2,  0x1.6a2d53319c0d8p-2,
    0x1.694e9c16d6208p-2,  0x1.687026c40e6ccp-2,  0x1.6791f3142d051p-2,  0x1.66b400e250a78p-2,
    0x1.65d65009ce60dp-2,  0x1.64f8e06631315p-2,  0x1.641bb1d339b21p-2,  0x1.633ec42cddbb6p-2,
    0x1.6262174f480c1p-2,  0x1.6185ab16d7f18p-2,  0x1.60a97f6020f0ap-2,  0x1.5fcd9407ea6fcp-2,
    0x1.5ef1e8eb2f61ap-2,  0x1.5e167de71df06p-2,  0x1.5d3b52d9172a8p-2,  0x1.5c60679eaeafap-2,
    0x1.5b85bc15aa5efp-2,  0x1.5aab501c02059p-2,  0x1.59d1238fdf0eap-2,  0x1.58f7364f9c338p-2,
    0x1.581d8839c52cfp-2,  0x1.5744192d16653p-2,  0x1.566ae9087caaap-2,  0x1.5591f7ab14e37p-2,
    0x1.54b944f42bc1ap-2,  0x1.53e0d0c33d784p-2,  0x1.53089af7f570fp-2,  0x1.5230a3722e028p-2,
    0x1.5158ea11f0282p-2,  0x1.50816eb773392p-2,  0x1.4faa31431ca1ap-2,  0x1.4ed331957f9bep-2,
    0x1.4dfc6f8f5cea1p-2,  0x1.4d25eb11a2915p-2,  0x1.4c4fa3fd6b94ap-2,  0x1.4b799a33ffb13p-2,
    0x1.4aa3cd96d31afp-2,  0x1.49ce3e078639fp-2,  0x1.48f8eb67e5685p-2,  0x1.4823d599e8b0cp-2,
    0x1.474efc7fb38e2p-2,  0x1.467a5ffb94ab0p-2,  0x1.45a5fff005a27p-2,  0x1.44d1dc3faac0ep-2,
    0x1.43fdf4cd52c62p-2,  0x1.432a497bf6a79p-2,  0x1.4256da2eb9534p-2,  0x1.4183a6c8e7734p-2,
    0x1.40b0af2df731fp-2,  0x1.3fddf34187feep-2,  0x1.3f0b72e76253ap-2,  0x1.3e392e03777a4p-2,
    0x1.3d672479e1536p-2,  0x1.3c95562ee21d3p-2,  0x1.3bc3c306e43b4p-2,  0x1.3af26ae679fe7p-2,
    0x1.3a214db25d6dap-2,  0x1.39506b4f700efp-2,  0x1.387fc3a2bab1ap-2,  0x1.37af56916d380p-2,
    0x1.36df2400de62ap-2,  0x1.360f2bd68b9b7p-2,  0x1.353f6df818c1bp-2,  0x1.346fea4b4ff63p-2,
    0x1.33a0a0b621685p-2,  0x1.32d1911ea3236p-2,  0x1.3202bb6b10dc7p-2,  0x1.31341f81cbc0dp-2,
    0x1.3065bd495a44bp-2,  0x1.2f9794a867f2cp-2,  0x1.2ec9a585c53bfp-2,  0x1.2dfbefc86747bp-2,
    0x1.2d2e735767c4dp-2,  0x1.2c61301a04bacp-2,  0x1.2b9425f7a05b5p-2,  0x1.2ac754d7c0d4ep-2,
    0x1.29fabca210250p-2,  0x1.292e5d3e5beb9p-2,  0x1.28623694953e8p-2,  0x1.2796488cd07d7p-2,
    0x1.26ca930f45269p-2,  0x1.25ff16044dab4p-2,  0x1.2533d1546745ap-2,  0x1.2468c4e831ce1p-2,
    0x1.239df0a86f91cp-2,  0x1.22d3547e0528fp-2,  0x1.2208f051f94e5p-2,  0x1.213ec40d74b66p-2,
    0x1.2074cf99c1e74p-2,  0x1.1fab12e04d112p-2,  0x1.1ee18dcaa3e6fp-2,  0x1.1e18404275778p-2,
    0x1.1d4f2a3192073p-2,  0x1.1c864b81eae98p-2,  0x1.1bbda41d925bep-2,  0x1.1af533eebb602p-2,
    0x1.1a2cfadfb997cp-2,  0x1.1964f8db011f6p-2,  0x1.189d2dcb266a9p-2,  0x1.17d5999ade207p-2,
    0x1.170e3c34fcf82p-2,  0x1.164715847795cp-2,  0x1.1580257462684p-2,  0x1.14b96beff186cp-2,
    0x1.13f2e8e2788f3p-2,  0x1.132c9c376a848p-2,  0x1.126685da59adep-2,  0x1.11a0a5b6f775dp-2,
    0x1.10dafbb9144a1p-2,  0x1.101587cc9f7b6p-2,  0x1.0f5049dda71e1p-2,  0x1.0e8b41d857eabp-2,
    0x1.0dc66fa8fd1f3p-2,  0x1.0d01d33c00605p-2,  0x1.0c3d6c7de99b9p-2,  0x1.0b793b5b5ee90p-2,
    0x1.0ab53fc1246e5p-2,  0x1.09f1799c1c410p-2,  0x1.092de8d9464a1p-2,  0x1.086a8d65c0297p-2,
    0x1.07a7672ec519bp-2,  0x1.06e47621add46p-2,  0x1.0621ba2bf076ap-2,  0x1.055f333b2065cp-2,
    0x1.049ce13cee34fp-2,  0x1.03dac41f278a4p-2,  0x1.0318dbcfb7050p-2,  0x1.0257283ca4238p-2,
    0x1.0195a9541329fp-2,  0x1.00d45f0445091p-2,  0x1.0013493b97455p-2,  0x1.fea4cfd107bcfp-3,
    0x1.fd2375f3426ebp-3,  0x1.fba284bb43fbfp-3,  0x1.fa21fc06aa27fp-3,  0x1.f8a1dbb34aef0p-3,
    0x1.f722239f34584p-3,  0x1.f5a2d3a8ac48bp-3,  0x1.f423ebae30568p-3,  0x1.f2a56b8e759d1p-3,
    0x1.f12753286891dp-3,  0x1.efa9a25b2cd92p-3,  0x1.ee2c59061d1cbp-3,  0x1.ecaf7708cae18p-3,
    0x1.eb32fc42fe5f6p-3,  0x1.e9b6e894b6589p-3,  0x1.e83b3bde27f1fp-3,  0x1.e6bff5ffbe8c1p-3,
    0x1.e54516da1b9ccp-3,  0x1.e3ca9e4e16892p-3,  0x1.e2508c3cbc807p-3,  0x1.e0d6e08750573p-3,
    0x1.df5d9b0f4a639p-3,  0x1.dde4bbb658596p-3,  0x1.dc6c425e5d27ap-3,  0x1.daf42ee970d5fp-3,
    0x1.d97c8139e0633p-3,  0x1.d80539322da41p-3,  0x1.d68e56b50f22ep-3,  0x1.d517d9a56fff7p-3,
    0x1.d3a1c1e66fcfbp-3,  0x1.d22c0f5b62813p-3,  0x1.d0b6c1e7d03afp-3,  0x1.cf41d96f753f8p-3,
    0x1.cdcd55d641d07p-3,  0x1.cc5937005a118p-3,  0x1.cae57cd215ed4p-3,  0x1.c972273000f98p-3,
    0x1.c7ff35feda5cdp-3,  0x1.c68ca92394b45p-3,  0x1.c51a808355fa6p-3,  0x1.c3a8bc03776dbp-3,
    0x1.c2375b898578bp-3,  0x1.c0c65efb3f9a5p-3,  0x1.bf55c63e984e5p-3,  0x1.bde59139b4f71p-3,
    0x1.bc75bfd2edc77p-3,  0x1.bb0651f0cdad4p-3,  0x1.b997477a123cdp-3,  0x1.b828a055ab9c4p-3,
    0x1.b6ba5c6abc704p-3,  0x1.b54c7ba099c8ap-3,  0x1.b3defddecb0e2p-3,  0x1.b271e30d09f06p-3,
    0x1.b1052b1342547p-3,  0x1.af98d5d992448p-3,  0x1.ae2ce34849df3p-3,  0x1.acc15347eb489p-3,
    0x1.ab5625c12a9abp-3,  0x1.a9eb5a9cedd77p-3,  0x1.a880f1c44cdaep-3,  0x1.a716eb20914dep-3,
    0x1.a5ad469b36998p-3,  0x1.a444041de9db2p-3,  0x1.a2db239289d91p-3,  0x1.a172a4e326f7ap-3,
    0x1.a00a87fa032f0p-3,  0x1.9ea2ccc19201cp-3,  0x1.9d3b732478739p-3,  0x1.9bd47b0d8d013p-3,
    0x1.9a6de467d7988p-3,  0x1.9907af1e91915p-3,  0x1.97a1db1d25a6dp-3,  0x1.963c684f2ff1dp-3,
    0x1.94d756a07de33p-3,  0x1.9372a5fd0e3f6p-3,  0x1.920e5651111a2p-3,  0x1.90aa6788e7d35p-3,
    0x1.8f46d9912513cp-3,  0x1.8de3ac568ccb6p-3,  0x1.8c80dfc6142f8p-3,  0x1.8b1e73cce1b9ep-3,
    0x1.89bc68584d289p-3,  0x1.885abd55df7e0p-3,  0x1.86f972b353029p-3,  0x1.8598885e93459p-3,
    0x1.8437fe45bd202p-3,  0x1.82d7d4571eb7ep-3,  0x1.81780a813782bp-3,  0x1.8018a0b2b84aep-3,
    0x1.7eb996da83345p-3,  0x1.7d5aece7abc21p-3,  0x1.7bfca2c976dcap-3,  0x1.7a9eb86f5ad8fp-3,
    0x1.79412dc8ff804p-3,  0x1.77e402c63e185p-3,  0x1.76873757216c9p-3,  0x1.752acb6be5d7fp-3,
    0x1.73cebef4f94f5p-3,  0x1.727311e2fb6cap-3,  0x1.7117c426bd7b1p-3,  0x1.6fbcd5b142837p-3,
    0x1.6e624673bf59bp-3,  0x1.6d08165f9aaafp-3,  0x1.6bae45666d0c8p-3,  0x1.6a54d37a010b3p-3,
    0x1.68fbc08c533bdp-3,  0x1.67a30c8f924c6p-3,  0x1.664ab7761f15cp-3,  0x1.64f2c1328cae7p-3,
    0x1.639b29b7a07dep-3,  0x1.6243f0f85250bp-3,  0x1.60ed16e7cc6ddp-3,  0x1.5f969b796bac1p-3,
    0x1.5e407ea0bf88cp-3,  0x1.5ceac0518a3f2p-3,  0x1.5b95607fc0e0dp-3,  0x1.5a405f1f8b6e7p-3,
    0x1.58ebbc2544f1dp-3,  0x1.579777857b98ap-3,  0x1.56439134f0d01p-3,  0x1.54f0092899610p-3,
    0x1.539cdf559d8dbp-3,  0x1.524a13b1592fcp-3,  0x1.50f7a6315bd73p-3,  0x1.4fa596cb68eaap-3,
    0x1.4e53e57577c80p-3,  0x1.4d029225b3e65p-3,  0x1.4bb19cd27cf8bp-3,  0x1.4a6105726711ap-3,
    0x1.4910cbfc3ac82p-3,  0x1.47c0f066f55cbp-3,  0x1.467172a9c8e06p-3,  0x1.452252bc1c5c1p-3,
    0x1.43d390958bf93p-3,  0x1.42852c2de92afp-3,  0x1.4137257d3ad93p-3,  0x1.3fe97c7bbd8bep-3,
    0x1.3e9c3121e397ap-3,  0x1.3d4f4368554b7p-3,  0x1.3c02b347f11f7p-3,  0x1.3ab680b9cbe4ep-3,
    0x1.396aabb730f6bp-3,  0x1.381f3439a26bdp-3,  0x1.36d41a3ad94a3p-3,  0x1.35895db4c5bb3p-3,
    0x1.343efea18f40cp-3,  0x1.32f4fcfb94ec7p-3,  0x1.31ab58bd6d96cp-3,  0x1.306211e1e8189p-3,
    0x1.2f1928640b84fp-3,  0x1.2dd09c3f1764ap-3,  0x1.2c886d6e83f31p-3,  0x1.2b409bee025bdp-3,
    0x1.29f927b97cfa5p-3,  0x1.28b210cd1799fp-3,  0x1.276b57252fb81p-3,  0x1.2624fabe5cc74p-3,
    0x1.24defb957073dp-3,  0x1.239959a776e9bp-3,  0x1.225414f1b71b8p-3,  0x1.210f2d71b30bep-3,
    0x1.1fcaa32528171p-3,  0x1.1e86760a0f3edp-3,  0x1.1d42a61e9d775p-3,  0x1.1bff336143f63p-3,
    0x1.1abc1dd0b0823p-3,  0x1.1979656bcdc52p-3,  0x1.18370a31c39f3p-3,  0x1.16f50c21f77b8p-3,
    0x1.15b36b3c0ca72p-3,  0x1.1472277fe4a8ap-3,  0x1.133140ed9f9a7p-3,  0x1.11f0b7859c85fp-3,
    0x1.10b08b4879c0fp-3,  0x1.0f70bc37154cbp-3,  0x1.0e314a528d36bp-3,  0x1.0cf2359c3ffb1p-3,
    0x1.0bb37e15cce95p-3,  0x1.0a7523c1148abp-3,  0x1.093726a0390a2p-3,  0x1.07f986b59e9ebp-3,
    0x1.06bc4403ebf7ap-3,  0x1.057f5e8e0aaaap-3,  0x1.0442d65727a41p-3,  0x1.0306ab62b3990p-3,
    0x1.01caddb4637c1p-3,  0x1.008f6d5030f38p-3,  0x1.fea8b474b5a4dp-4,  0x1.fc3348eecb269p-4,
    0x1.f9be981837aafp-4,  0x1.f74aa1fb1db99p-4,  0x1.f4d766a22e266p-4,  0x1.f264e618a91a7p-4,
    0x1.eff3206a5f218p-4,  0x1.ed8215a3b23c0p-4,  0x1.eb11c5d196f6fp-4,  0x1.e8a2310195883p-4,
    0x1.e6335741caf07p-4,  0x1.e3c538a0ea226p-4,  0x1.e157d52e3d2f5p-4,  0x1.deeb2cf9a6793p-4,
    0x1.dc7f4013a1ea8p-4,  0x1.da140e8d4633fp-4,  0x1.d7a99878460fap-4,  0x1.d53fdde6f18a8p-4,
    0x1.d2d6deec37541p-4,  0x1.d06e9b9ba613ep-4,  0x1.ce0714096dc59p-4,  0x1.cba0484a611bbp-4,
    0x1.c93a3873f6e86p-4,  0x1.c6d4e49c4b8d9p-4,  0x1.c4704cda22737p-4,  0x1.c20c7144e7865p-4,
    0x1.bfa951f4b0bb5p-4,  0x1.bd46ef023f9ccp-4,  0x1.bae5488702dd5p-4,  0x1.b8845e9d17f3ap-4,
    0x1.b624315f4cbd2p-4,  0x1.b3c4c0e921288p-4,  0x1.b1660d56c8e93p-4,  0x1.af0816c52d322p-4,
    0x1.acaadd51ee798p-4,  0x1.aa4e611b66450p-4,  0x1.a7f2a240a8feep-4,  0x1.a597a0e187d3ap-4,
    0x1.a33d5d1e9299bp-4,  0x1.a0e3d71919c16p-4,  0x1.9e8b0ef3304fap-4,  0x1.9c3304cfade1ap-4,
    0x1.99dbb8d230badp-4,  0x1.97852b1f1fdd1p-4,  0x1.952f5bdbad2b9p-4,  0x1.92da4b2dd797fp-4,
    0x1.9085f93c6d5aep-4,  0x1.8e32662f0e377p-4,  0x1.8bdf922e2dca7p-4,  0x1.898d7d6315e4bp-4,
    0x1.873c27f7e8f23p-4,  0x1.84eb9217a46d1p-4,  0x1.829bbbee235cep-4,  0x1.804ca5a820e3ap-4,
    0x1.7dfe4f733ad70p-4,  0x1.7bb0b97df4679p-4,  0x1.7963e3f7b8d5fp-4,  0x1.7717cf10de35bp-4,
    0x1.74cc7afaa83efp-4,  0x1.7281e7e74b2f1p-4,  0x1.70381609eeb7fp-4,  0x1.6def0596b0ff9p-4,
    0x1.6ba6b6c2a9af1p-4,  0x1.695f29c3ed127p-4,  0x1.67185ed18f48fp-4,  0x1.64d25623a7867p-4,
    0x1.628d0ff353671p-4,  0x1.60488c7aba546p-4,  0x1.5e04cbf510fd4p-4,  0x1.5bc1ce9e9ce10p-4,
    0x1.597f94b4b7edep-4,  0x1.573e1e75d433ap-4,  0x1.54fd6c217faadp-4,  0x1.52bd7df868111p-4,
    0x1.507e543c5edb2p-4,  0x1.4e3fef305d3d2p-4,  0x1.4c024f18884a0p-4,  0x1.49c5743a3529fp-4,
    0x1.47895edbed698p-4,  0x1.454e0f4573613p-4,  0x1.431385bfc6b6bp-4,  0x1.40d9c29528f84p-4,
    0x1.3ea0c6112252fp-4,  0x1.3c68908086651p-4,  0x1.3a312231792c6p-4,  0x1.37fa7b7374120p-4,
    0x1.35c49c974b14ap-4,  0x1.338f85ef32116p-4,  0x1.315b37cec22cfp-4,  0x1.2f27b28aff5d2p-4,
    0x1.2cf4f67a5e14ep-4,  0x1.2ac303f4c9127p-4,  0x1.2891db53a751dp-4,  0x1.26617cf1e2240p-4,
    0x1.2431e92beb6cap-4,  0x1.2203205fc4061p-4,  0x1.1fd522ed024eep-4,  0x1.1da7f134d8e03p-4,
    0x1.1b7b8b9a1d6f8p-4,  0x1.194ff2814fdc8p-4,  0x1.17252650a16cdp-4,  0x1.14fb276ffc36fp-4,
    0x1.12d1f6490abd5p-4,  0x1.10a993473fbc7p-4,  0x1.0e81fed7de2c1p-4,  0x1.0c5b396a01768p-4,
    0x1.0a35436ea5e6cp-4,  0x1.08101d58b1501p-4,  0x1.05ebc79cfbf07p-4,  0x1.03c842b259902p-4,
    0x1.01a58f11a2e00p-4,  0x1.ff075a6b7e32ep-5,  0x1.fac53b375bc2dp-5,  0x1.f684c18522e2bp-5,
    0x1.f245ee577210bp-5,  0x1.ee08c2b5574dap-5,  0x1.e9cd3faa662f9p-5,  0x1.e5936646ce941p-5,
    0x1.e15b379f73f8cp-5,  0x1.dd24b4ce057f9p-5,  0x1.d8efdef116a53p-5,  0x1.d4bcb72c38b09p-5,
    0x1.d08b3ea814e15p-5,  0x1.cc5b769287656p-5,  0x1.c82d601ebb1c5p-5,  0x1.c400fc8546311p-5,
    0x1.bfd64d0447916p-5,  0x1.bbad52df854bfp-5,  0x1.b7860f608bde1p-5,  0x1.b36083d6ce7a9p-5,
    0x1.af3cb197c8531p-5,  0x1.ab1a99ff1eee9p-5,  0x1.a6fa3e6ec597ap-5,  0x1.a2dba04f21edfp-5,
    0x1.9ebec10f31a6ep-5,  0x1.9aa3a224b1894p-5,  0x1.968a450c45b21p-5,  0x1.9272ab49a32f5p-5,
    0x1.8e5cd667baffdp-5,  0x1.8a48c7f8e686fp-5,  0x1.8636819715846p-5,  0x1.822604e3fda0cp-5,
    0x1.7e1753894ba12p-5,  0x1.7a0a6f38d6536p-5,  0x1.75ff59acd3480p-5,  0x1.71f614a80d6d8p-5,
    0x1.6deea1f61da39p-5,  0x1.69e9036ba55cfp-5,  0x1.65e53ae68b693p-5,  0x1.61e34a4e3afedp-5,
    0x1.5de33393e5228p-5,  0x1.59e4f8b2c4874p-5,  0x1.55e89bb064071p-5,  0x1.51ee1e9ce7d34p-5,
    0x1.4df5839359800p-5,  0x1.49feccb9f70eep-5,  0x1.4609fc42851ecp-5,  0x1.4217146aa46b2p-5,
    0x1.3e26177c2ac4dp-5,  0x1.3a3707cd7fb40p-5,  0x1.3649e7c1fcf39p-5,  0x1.325eb9ca52fb3p-5,
    0x1.2e758064f1ceep-5,  0x1.2a8e3e1e7650bp-5,  0x1.26a8f5921c533p-5,  0x1.22c5a96a35b0cp-5,
    0x1.1ee45c60a6b01p-5,  0x1.1b05113f68039p-5,  0x1.1727cae10eb57p-5,  0x1.134c8c315a5a9p-5,
    0x1.0f73582dc9e9dp-5,  0x1.0b9c31e6379e5p-5,  0x1.07c71c7d7c520p-5,  0x1.03f41b2a1ac60p-5,
    0x1.00233136f356bp-5,  0x1.f8a8c40801484p-6,  0x1.f10f620e3b81ep-6,  0x1.e97a4399ad0b3p-6,
    0x1.e1e96ff285663p-6,  0x1.da5cee91d93a2p-6,  0x1.d2d4c7238844ep-6,  0x1.cb5101883d9b1p-6,
    0x1.c3d1a5d78c093p-6,  0x1.bc56bc622893ep-6,  0x1.b4e04db4453dfp-6,  0x1.ad6e62980e6ecp-6,
    0x1.a60104184d86fp-6,  0x1.9e983b83336d8p-6,  0x1.9734126d4e21cp-6,  0x1.8fd492b4aca7ep-6,
    0x1.8879c68434f5ap-6,  0x1.8123b8572fe1bp-6,  0x1.79d272fd0f7b2p-6,  0x1.7286019d74a15p-6,
    0x1.6b3e6fbc79315p-6,  0x1.63fbc93f44ad8p-6,  0x1.5cbe1a70f1e2bp-6,  0x1.55857007ccc23p-6,
    0x1.4e51d72af073bp-6,  0x1.47235d784e86fp-6,  0x1.3ffa110b2931dp-6,  0x1.38d600830bb0bp-6,
    0x1.31b73b0b4d2ecp-6,  0x1.2a9dd0632c1f7p-6,  0x1.2389d0e691aa3p-6,  0x1.1c7b4d978ec7ap-6,
    0x1.15725828a6f5ep-6,  0x1.0e6f0307ff0f4p-6,  0x1.0771616b89de0p-6,  0x1.0079875e4f96fp-6,
    0x1.f30f139de31a5p-7,  0x1.e536fd3f20a0bp-7,  0x1.d76af96e803fap-7,  0x1.c9ab382a7cc01p-7,
    0x1.bbf7ebcc4588fp-7,  0x1.ae514936a0d3cp-7,  0x1.a0b78809ed146p-7,  0x1.932ae2ddfc56fp-7,
    0x1.85ab9782a587ep-7,  0x1.7839e7480fe87p-7,  0x1.6ad6174fee361p-7,  0x1.5d8070e91ba10p-7,
    0x1.503941f757a6ep-7,  0x1.4300dd693b597p-7,  0x1.35d79bbef7eecp-7,  0x1.28bddba502f5cp-7,
    0x1.1bb402a6921a5p-7,  0x1.0eba7dfcbc8f9p-7,  0x1.01d1c38055e75p-7,  0x1.e9f4a58c6fbbfp-8,
    0x1.d0696cdfb8be8p-8,  0x1.b7030b7a2b875p-8,  0x1.9dc2ccdf640bfp-8,  0x1.84aa1e2ec032bp-8,
    0x1.6bba93c7fdb32p-8,  0x1.52f5f04f6db39p-8,  0x1.3a5e2d856ea2bp-8,  0x1.21f587964bb84p-8,
    0x1.09be8bd3d0b6ep-8,  0x1.e3785885b9ccap-9,  0x1.b3e3b45c46a9ep-9,  0x1.84c7568750082p-9,
    0x1.562d1e4aedbd3p-9,  0x1.28213fbe307ffp-9,  0x1.f56683c03239bp-10, 0x1.9bef54c849c4fp-10,
    0x1.44161d5910050p-10, 0x1.dc61bb3bf8257p-11, 0x1.35a4768dd7bc5p-11, 0x1.2ce74ae9493f7p-12,
};

#define ZIG_R     0x1.027c84109fad5p+2 /* r */
#define SIGN_BIT  0x8000000000000000ULL
#define ZIG_CHUNK 256 /* raw words converted per pass; a multiple of BASIN_NORMAL_LANES */

/* The SIMD code paths (AVX-512, AVX2, baseline) of the two loops below compute the same
 * integer operations and the same single rounded multiply, so they give identical bits; the
 * clones only change the speed. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define BASIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BASIN_CLONES
#endif

typedef uint64_t u64x4 __attribute__((vector_size(32)));

void basin_normal_gen_seed(basin_normal_gen *g, uint64_t seed, uint64_t stream)
{
    basin_rng root, sub, lane;
    basin_rng_seed(&root, seed);
    basin_rng_split(&root, stream, &sub);
    for (int l = 0; l < BASIN_NORMAL_LANES; l++) {
        basin_rng_split(&sub, (uint64_t)l, &lane);
        for (int w = 0; w < 4; w++)
            g->s[w][l] = lane.s[w];
    }
    basin_rng_split(&sub, BASIN_NORMAL_LANES, &g->slow);
}

/* out[0..n) = the next n raw words, n a multiple of BASIN_NORMAL_LANES: xoshiro256** on
 * two groups of four lanes, x·5 and x·9 written as shifts and adds. */
BASIN_CLONES static void raw_fill(basin_normal_gen *g, uint64_t *restrict out, long n)
{
    u64x4 a[4], b[4];
    for (int w = 0; w < 4; w++) {
        memcpy(&a[w], &g->s[w][0], sizeof a[w]);
        memcpy(&b[w], &g->s[w][4], sizeof b[w]);
    }
    for (long i = 0; i < n; i += 8) {
        u64x4 x = a[1] + (a[1] << 2);
        x = (x << 7) | (x >> 57);
        x = x + (x << 3);
        memcpy(out + i, &x, sizeof x);
        u64x4 t = a[1] << 17;
        a[2] ^= a[0];
        a[3] ^= a[1];
        a[1] ^= a[2];
        a[0] ^= a[3];
        a[2] ^= t;
        a[3] = (a[3] << 45) | (a[3] >> 19);

        u64x4 y = b[1] + (b[1] << 2);
        y = (y << 7) | (y >> 57);
        y = y + (y << 3);
        memcpy(out + i + 4, &y, sizeof y);
        u64x4 v = b[1] << 17;
        b[2] ^= b[0];
        b[3] ^= b[1];
        b[1] ^= b[2];
        b[0] ^= b[3];
        b[2] ^= v;
        b[3] = (b[3] << 45) | (b[3] >> 19);
    }
    for (int w = 0; w < 4; w++) {
        memcpy(&g->s[w][0], &a[w], sizeof a[w]);
        memcpy(&g->s[w][4], &b[w], sizeof b[w]);
    }
}

/* The 52-bit uniform abscissa of a raw word, in [0, 1): bits 12–63 as a mantissa. */
static inline double zig_abscissa(uint64_t u)
{
    uint64_t m = (u >> 12) | 0x3ff0000000000000ULL;
    double d;
    memcpy(&d, &m, sizeof d);
    return d - 1.0;
}

/* ±v with the sign taken from bit 10 of u. */
static inline double zig_signed(double v, uint64_t u)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    b ^= (u << 53) & SIGN_BIT;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* The fast path over n raw words: out[j] = ±u·x_i for layer i = bits 0–9; reject[j] = 1
 * when u ≥ zig_k[i] (the value must then be replaced by zig_slow). */
BASIN_CLONES static void zig_fast(const uint64_t *restrict raw, double *restrict out,
                                  unsigned char *restrict reject, int n)
{
    for (int j = 0; j < n; j++) {
        uint64_t u = raw[j];
        uint64_t i = u & 0x3ff;
        double d = zig_abscissa(u);
        out[j] = zig_signed(d * zig_x[i], u);
        reject[j] = d >= zig_k[i];
    }
}

/* Whether the point (x, y) of the wedge of layer i ≥ 1 — x in [x_l, x_i] with x_l = x_{i−1}
 * (0 for the top layer), y in [f(x_i), f(x_l)] — lies under f(x) = exp(−x²/2). f is concave
 * on [0, 1] and convex beyond, so on a layer within one of those ranges it lies between
 * the chord C(x) through the layer's corners and the tangent T(x) = f(x_i)(1 − x_i (x − x_i))
 * at the outer corner: concave, C ≤ f ≤ T; convex, T ≤ f ≤ C. Only a point between the two
 * needs exp (a few per cent of the wedge points: the layers are thin). */
static bool zig_wedge_under(uint64_t i, double x, double y)
{
    const double xi = zig_x[i], fi = zig_f[i];
    const double xl = i == 1 ? 0.0 : zig_x[i - 1], fl = zig_f[i - 1];
    if (xl >= 1.0 || xi <= 1.0) {
        double C = fl + (fi - fl) * (x - xl) / (xi - xl);
        double T = fi * (1.0 - xi * (x - xi));
        double lower = xi <= 1.0 ? C : T, upper = xi <= 1.0 ? T : C;
        if (y < lower)
            return true;
        if (y >= upper)
            return false;
    }
    return y < exp(-0.5 * x * x);
}

/* The exact ziggurat from a rejected word u: the wedge test f(x_i) + U (f(x_{i−1}) − f(x_i))
 * < f(x) for layers i ≥ 1, the tail x > r for layer 0 (Marsaglia 1964: x = r + a with
 * a = −ln U₁ / r, accepted when −2 ln U₂ > a²); on rejection a new word is drawn from the
 * slow stream and the whole ziggurat is repeated. */
static double zig_slow(basin_rng *rng, uint64_t u)
{
    for (;;) {
        uint64_t i = u & 0x3ff;
        double d = zig_abscissa(u);
        double x = d * zig_x[i];
        if (d < zig_k[i])
            return zig_signed(x, u);
        if (i == 0) {
            double a, b;
            do {
                a = -log1p(-basin_rng_uniform(rng)) / ZIG_R;
                b = -log1p(-basin_rng_uniform(rng));
            } while (b + b <= a * a);
            return zig_signed(ZIG_R + a, u);
        }
        double y = zig_f[i] + basin_rng_uniform(rng) * (zig_f[i - 1] - zig_f[i]);
        if (zig_wedge_under(i, x, y))
            return zig_signed(x, u);
        u = basin_rng_next(rng);
    }
}

void basin_normal_gen_fill(basin_normal_gen *g, double *out, long n)
{
    uint64_t raw[ZIG_CHUNK];
    double buf[ZIG_CHUNK];
    unsigned char reject[ZIG_CHUNK];
    for (long first = 0; first < n; first += ZIG_CHUNK) {
        long m = n - first < ZIG_CHUNK ? n - first : ZIG_CHUNK;
        long m_raw = (m + BASIN_NORMAL_LANES - 1) / BASIN_NORMAL_LANES * BASIN_NORMAL_LANES;
        raw_fill(g, raw, m_raw);
        double *dst = m == ZIG_CHUNK ? out + first : buf;
        zig_fast(raw, dst, reject, (int)m);
        /* rejections are rare: read 8 flags (bytes 0 or 1) as one word and visit its set
         * bytes in order, lowest first */
        long j = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        for (; j + 8 <= m; j += 8) {
            uint64_t flags;
            memcpy(&flags, reject + j, sizeof flags);
            while (flags) {
                long k = j + (__builtin_ctzll(flags) >> 3);
                flags &= flags - 1;
                dst[k] = zig_slow(&g->slow, raw[k]);
            }
        }
#endif
        for (; j < m; j++)
            if (reject[j])
                dst[j] = zig_slow(&g->slow, raw[j]);
        if (dst == buf)
            memcpy(out + first, buf, (size_t)m * sizeof *out);
    }
}

void basin_normal_gen_uniform(basin_normal_gen *g, double *out, long n)
{
    uint64_t raw[ZIG_CHUNK];
    for (long first = 0; first < n; first += ZIG_CHUNK) {
        long m = n - first < ZIG_CHUNK ? n - first : ZIG_CHUNK;
        long m_raw = (m + BASIN_NORMAL_LANES - 1) / BASIN_NORMAL_LANES * BASIN_NORMAL_LANES;
        raw_fill(g, raw, m_raw);
        for (long j = 0; j < m; j++)
            out[first + j] = (double)(raw[j] >> 11) * 0x1.0p-53;
    }
}
