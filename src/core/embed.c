/*
 * embed.c — the hash text embedder, the derived variance, precision addition and the
 * compact copies for candidate scans (see include/basin/embed.h, which specifies each
 * rule well enough to reproduce it elsewhere).
 */
#include "basin/embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 64

static inline int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static inline uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* MurmurHash3's 64-bit finaliser: FNV-1a's high bits barely depend on the last bytes of a
 * short key, so the index and sign are taken from the mixed hash. */
static inline uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t basin_hash_embed(const char *text, size_t len, int d, float *out)
{
    memset(out, 0, (size_t)d * sizeof *out);
    /* At most one word per two bytes, and one unigram + one bigram per word. */
    uint64_t *feat = malloc((len + 2) * sizeof *feat);
    if (!feat)
        return 0;
    size_t n_feat = 0, n_words = 0;
    unsigned char prev[WORD_MAX], cur[WORD_MAX];
    size_t prev_len = 0;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        while (i < len && !word_byte(s[i]))
            i++;
        if (i >= len)
            break;
        size_t cur_len = 0;
        for (; i < len && word_byte(s[i]); i++)
            if (cur_len < WORD_MAX)
                cur[cur_len++] = (s[i] >= 'A' && s[i] <= 'Z') ? (unsigned char)(s[i] + 32) : s[i];
        feat[n_feat++] = fmix64(fnv1a(FNV_OFFSET, cur, cur_len));
        if (n_words > 0) {
            uint64_t h = fnv1a(FNV_OFFSET, prev, prev_len);
            h = fnv1a(h, (const unsigned char *)" ", 1);
            feat[n_feat++] = fmix64(fnv1a(h, cur, cur_len));
        }
        memcpy(prev, cur, cur_len);
        prev_len = cur_len;
        n_words++;
    }
    /* tf per feature: sort the hashes and count runs. */
    qsort(feat, n_feat, sizeof *feat, cmp_u64);
    for (size_t a = 0; a < n_feat;) {
        size_t b = a;
        while (b < n_feat && feat[b] == feat[a])
            b++;
        uint64_t h = feat[a];
        double w = 1.0 + log((double)(b - a));
        size_t idx = (size_t)((h >> 32) % (uint64_t)d);
        out[idx] += (float)((h & 1) ? -w : w);
        a = b;
    }
    free(feat);
    double norm = 0.0;
    for (int k = 0; k < d; k++)
        norm += (double)out[k] * out[k];
    if (norm > 0) {
        double inv = 1.0 / sqrt(norm);
        for (int k = 0; k < d; k++)
            out[k] = (float)(out[k] * inv);
    }
    return n_words;
}

static inline double clip_var(double v)
{
    return v < BASIN_VAR_MIN ? BASIN_VAR_MIN : v > BASIN_VAR_MAX ? BASIN_VAR_MAX : v;
}

void basin_variance_from_mean(int d, const float *mu, float *var)
{
    /* σ²_i = ρ² · 10^(−r_i), ρ² = ‖μ‖²/d, r_i = |μ_i| / max|μ| */
    double sq = 0.0, amax = 0.0;
    for (int i = 0; i < d; i++) {
        sq += (double)mu[i] * mu[i];
        if (fabs(mu[i]) > amax)
            amax = fabs(mu[i]);
    }
    double rho2 = amax > 0 ? sq / d : 1.0;
    for (int i = 0; i < d; i++) {
        double r = amax > 0 ? fabs(mu[i]) / amax : 0.0;
        var[i] = (float)clip_var(rho2 * exp(-M_LN10 * r)); /* ρ² 10^(−r) */
    }
}

void basin_precision_add(int d, float *mu, float *var, const float *mu_obs, const float *var_obs)
{
    for (int i = 0; i < d; i++) {
        double p_old = 1.0 / var[i], p_obs = 1.0 / var_obs[i];
        double v = 1.0 / (p_old + p_obs);
        mu[i] = (float)(v * (mu[i] * p_old + mu_obs[i] * p_obs));
        var[i] = (float)clip_var(v);
    }
}

float basin_quantize_q8(int d, const float *x, int8_t *code)
{
    float amax = 0.0f;
    for (int i = 0; i < d; i++)
        if (fabsf(x[i]) > amax)
            amax = fabsf(x[i]);
    float scale = amax > 0 ? amax / 127.0f : 1.0f;
    float inv = 1.0f / scale;
    for (int i = 0; i < d; i++) {
        float c = nearbyintf(x[i] * inv);
        code[i] = (int8_t)(c > 127.0f ? 127.0f : c < -127.0f ? -127.0f : c);
    }
    return scale;
}

void basin_to_bf16(size_t n, const float *x, uint16_t *out)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &x[i], sizeof b);
        b += 0x7fffu + ((b >> 16) & 1u); /* round to nearest, ties to even */
        out[i] = (uint16_t)(b >> 16);
    }
}
