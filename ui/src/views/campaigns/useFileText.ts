/** Reads a picked file as text (a lead list or a do-not-call list) and hands it on with its name. */
export const useFileText = (onText: (text: string, name: string) => void) => {
  const onFile = async (event: Event): Promise<void> => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    onText(await file.text(), file.name);
  };
  return { onFile };
};
