// A switch-heavy interpreter loop: a small stack bytecode VM running a
// program that counts primes by trial division and sums a Collatz series.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV, MOD, LT, EQ, JMP, JZ, JNZ, DUP, POP, INC, HALT, AND, SHR, NOP };

static int64_t run(const int32_t *code, int64_t *vars) {
    int64_t stack[256];
    int sp = 0, pc = 0;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = vars[code[pc++]]; break;
        case STORE: vars[code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case DIV: sp--; stack[sp - 1] /= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case JMP: pc = code[pc]; break;
        case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
        case JNZ: pc = stack[--sp] ? code[pc] : pc + 1; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case POP: sp--; break;
        case INC: vars[code[pc++]]++; break;
        case AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
        case NOP: break;
        case HALT: return stack[sp - 1];
        default: abort();
        }
    }
}

// A tiny assembler: E(op, ...) appends, labels are patched afterwards.
static int32_t code[512];
static int pc_emit;
static int label_at[32];
static int fixup_pos[64], fixup_label[64], nfix;
static void E(int32_t v) { code[pc_emit++] = v; }
static void L(int l) { label_at[l] = pc_emit; }
static void J(int op, int l) { E(op); fixup_pos[nfix] = pc_emit; fixup_label[nfix++] = l; E(0); }
static const int32_t *finish(void) {
    for (int i = 0; i < nfix; i++) code[fixup_pos[i]] = label_at[fixup_label[i]];
    nfix = 0;
    return code;
}

int main(int argc, char **argv) {
    int limit = argc > 1 ? atoi(argv[1]) : 80000;
    // Primes below limit by trial division. vars: 0 = n, 1 = d, 2 = count, 3 = limit
    enum { OUTER, INNER, PRIME, NEXT, DONE };
    E(PUSH); E(2); E(STORE); E(0); E(PUSH); E(0); E(STORE); E(2);
    L(OUTER); E(LOAD); E(0); E(LOAD); E(3); E(LT); J(JZ, DONE);
    E(PUSH); E(2); E(STORE); E(1);
    L(INNER); E(LOAD); E(1); E(DUP); E(MUL); E(LOAD); E(0); E(LT);
    E(LOAD); E(1); E(DUP); E(MUL); E(LOAD); E(0); E(EQ); E(ADD); J(JZ, PRIME);
    E(LOAD); E(0); E(LOAD); E(1); E(MOD); J(JZ, NEXT); E(INC); E(1); J(JMP, INNER);
    L(PRIME); E(INC); E(2); E(NOP);
    L(NEXT); E(INC); E(0); J(JMP, OUTER);
    L(DONE); E(LOAD); E(2); E(HALT);
    int64_t vars[8] = {0};
    vars[3] = limit;
    int64_t np = run(finish(), vars);
    printf("primes below %d: %lld\n", limit, (long long)np);

    // Total Collatz steps for 1 <= x < limit * 4. vars: 0 = n, 3 = limit, 4 = x, 5 = steps
    pc_emit = 0;
    enum { FOR, LOOP, EVEN, XNEXT, END };
    L(FOR); E(LOAD); E(4); E(LOAD); E(3); E(LT); J(JZ, END);
    E(LOAD); E(4); E(STORE); E(0);
    L(LOOP); E(LOAD); E(0); E(PUSH); E(1); E(EQ); J(JNZ, XNEXT);
    E(LOAD); E(0); E(PUSH); E(1); E(AND); J(JZ, EVEN);
    E(LOAD); E(0); E(PUSH); E(3); E(MUL); E(PUSH); E(1); E(ADD); E(STORE); E(0); E(INC); E(5); J(JMP, LOOP);
    L(EVEN); E(LOAD); E(0); E(PUSH); E(1); E(SHR); E(STORE); E(0); E(INC); E(5); J(JMP, LOOP);
    L(XNEXT); E(INC); E(4); J(JMP, FOR);
    L(END); E(LOAD); E(5); E(HALT);
    int64_t v2[8] = {0};
    v2[3] = (int64_t)limit * 4;
    v2[4] = 1;
    printf("collatz steps below %lld: %lld\n", (long long)v2[3], (long long)run(finish(), v2));
    return 0;
}
