// deepsim: the command-line front end. Placeholder until the CLI module lands.
#include <cstdio>
int main() { std::puts("deepsim " DEEPSIM_VERSION); return 0; }
