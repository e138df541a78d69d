SELECT doc FROM record WHERE id = '@ID@';
