/* placeholder: the replay model server is being written */
#include <stdio.h>
int main(void) { puts("http://127.0.0.1:0"); return 1; }
