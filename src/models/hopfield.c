/* placeholder until the model lands */
#include "basin/model.h"
const basin_model model_hopfield = {.kind = "hopfield", .version = "0", .summary = "placeholder"};
