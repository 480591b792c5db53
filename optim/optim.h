// The optim umbrella: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad), LR
// schedulers and gradient clipping. #include <ember/ember.h> includes it.
#pragma once

#include <ember/optim/adagrad.h>
#include <ember/optim/adam.h>
#include <ember/optim/adamw.h>
#include <ember/optim/clip_grad.h>
#include <ember/optim/cosine_annealing_lr.h>
#include <ember/optim/exponential_lr.h>
#include <ember/optim/grouped_optimizer.h>
#include <ember/optim/linear_lr.h>
#include <ember/optim/lr_scheduler.h>
#include <ember/optim/multi_step_lr.h>
#include <ember/optim/one_cycle_lr.h>
#include <ember/optim/optimizer.h>
#include <ember/optim/reduce_lr_on_plateau.h>
#include <ember/optim/rmsprop.h>
#include <ember/optim/sgd.h>
#include <ember/optim/step_lr.h>
