/* ulid.c — see ulid.h. Monotonic: within one millisecond the random part is incremented. */
#include "ulid.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "clock.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static pthread_mutex_t ulid_mutex = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms = -1;
static uint8_t last_rand[10];

void ulid_new(char out[ULID_LEN + 1])
{
    uint8_t bytes[16];
    pthread_mutex_lock(&ulid_mutex);
    int64_t ms = clock_wall_ms();
    if (ms <= last_ms) {
        ms = last_ms;
        for (int i = 9; i >= 0 && ++last_rand[i] == 0; i--)
            ;
    } else {
        if (getrandom(last_rand, sizeof last_rand, 0) != (ssize_t)sizeof last_rand)
            memset(last_rand, 0, sizeof last_rand);
        last_rand[0] &= 0x7f; /* headroom so increments inside a millisecond never wrap */
        last_ms = ms;
    }
    for (int i = 0; i < 6; i++)
        bytes[i] = (uint8_t)((uint64_t)ms >> (40 - 8 * i));
    memcpy(bytes + 6, last_rand, 10);
    pthread_mutex_unlock(&ulid_mutex);

    /* 128 bits → 26 base32 digits, most significant first (the first digit holds 3 bits). */
    for (int d = 0; d < ULID_LEN; d++) {
        int bit = 128 - 5 * (ULID_LEN - d); /* position of this digit's low bit from the top */
        unsigned v = 0;
        for (int b = 0; b < 5; b++) {
            int pos = bit + b; /* bit index from the top, may be negative for digit 0 */
            if (pos < 0)
                continue;
            v = (v << 1) | ((bytes[pos / 8] >> (7 - pos % 8)) & 1u);
        }
        out[d] = alphabet[v];
    }
    out[ULID_LEN] = '\0';
}

bool ulid_valid(const char *s)
{
    if (!s || strlen(s) != ULID_LEN)
        return false;
    for (int i = 0; i < ULID_LEN; i++)
        if (!strchr(alphabet, s[i]) || s[i] == '\0')
            return false;
    return s[0] <= '7';
}
