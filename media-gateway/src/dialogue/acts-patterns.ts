import type { DialogueAct } from './acts.js';

/**
 * Phrase patterns over normaliseLine's output (lower case, no accents or apostrophes, "?" kept), English and
 * Spanish. They carry most of the accuracy; the model in acts.ts catches the phrasings they miss. Written as
 * the shapes callers of any business use (someone to come and look, a ring back, pass something on), never as
 * one business's words.
 */
export const PATTERNS: Readonly<Record<DialogueAct, readonly RegExp[]>> = {
  human_request: [
    /\b(speak|talk|chat)\w* (to|with) (a |an |some |one of )?(real |actual |live )?(person|human|someone|somebody|agent|representative|rep|manager|supervisor|operator|people|staff|receptionist)/,
    /\b(real|actual|live) (person|human|agent)\b/,
    /\bhuman being\b/,
    // "Patch me over to the front desk", "transfer me to billing": a transfer is always to a person.
    /\b(transfer|connect|put|patch|forward|send) (me|us) (through |over |across )?(to|with)\b/,
    /\b(get|give) me (a |an |the )?(person|human|agent|manager|supervisor|operator|representative)\b/,
    /\b(operator|representative|supervisor)\b/,
    // "Can I talk to one of your stylists": asking to talk to staff, in the present (not "I talked to...").
    /\b(can|could|may|let) (i|me) (please )?(speak|talk|chat) (to|with) (?!you\b)/,
    /\b(want|like|need|wanna|rather|prefer) (to )?(speak|talk|chat) (to|with) (?!you\b)/,
    /\b(someone|somebody|anyone|anybody|a person) who (actually |really )?(knows|understands|can help|works there)\b/,
    /\bhablar con (una |un |el |la |alguien|algun|uno de|alguno de)/,
    /\bme (comunica|comunican|pasa|pasan|transfiere|transfieren|conecta|conectan) (con|a)\b/,
    /\b(pase|paseme|pasame|comuniqueme|comunicame|transfiera|transfierame|conecteme|conectame)\b.*\b(con|a) /,
    /\b(persona real|ser humano|un humano|una persona|un agente|un asesor|una asesora|un operador|una operadora|el gerente|la gerente|un supervisor|el encargado|la encargada)\b/,
    /\balguien que (sepa|entienda|conozca)\b/,
  ],
  cancel_appointment: [
    /\bcancel+(ing|ed)?\b/,
    /\bcall (it )?off\b|\bcall off\b/,
    /\bwont be able to (make|come|attend)|\bcant (make|come|attend)\b.*\b(appointment|booking|it)\b/,
    /\b(cancelar|anular|cancele|anule|cancela|anula)\b/,
    /\bno (voy a |podre )(poder )?(ir|asistir|llegar)\b/,
  ],
  reschedule_appointment: [
    /\breschedul\w*|\bre schedul\w*/,
    /\b(move|change|shift|push|switch|bump)\w* (my |the |our )?(next )?(appointment|booking|reservation|visit|time|slot|session|lesson|class|consultation|checkup|exam|treatment|fitting|it)\b/,
    /\b(different|another|other|new) (day|time|date)\b/,
    /\b(cambiar|mover|pasar|reprogramar|aplazar|posponer|adelantar|atrasar)\w* (mi |la |el )?(cita|reserva|turno|hora|fecha)/,
    // "El otro día" is the other day gone by, not another day for the appointment.
    // "Pedir otra hora" books one more; "otra hora" alone asks for a different time.
    /\breprogramar\b|\bcambiar (la |mi )?(cita|fecha|hora)|(?<!\bel )\botro dia\b|(?<!\b(pedir|sacar|reservar|agendar) )\botra hora\b/,
  ],
  book_appointment: [
    /\b(book|schedule|make|set up|get|need|want|like|have)\w* (me |in |an? |my )?(an? )?(appointment|booking|reservation|visit|consultation|slot)\b/,
    // "Book my next visit", "schedule me in"; not "my work schedule is..." (a noun after a possessive).
    /(?<!\b(my|your|our|the|a|work|busy|his|her|their) )\b(book|booking|schedule|scheduling) (a|an|me|in|for|my|us|him|her|it|another|some)\b/,
    /\bcome in for\b/,
    /\b(any|have you got|do you have) (availability|openings|slots|free slots|appointments)\b/,
    /\b(reservar|agendar|programar|pedir|sacar|solicitar|hacer)\w* (una |un )?(otra |nueva |una nueva )?(cita|turno|hora|reserva|consulta)/,
    /\b(quiero|quisiera|queria|necesito|me gustaria) (una |un |otra )?(cita|turno|reserva|consulta)\b/,
    /\b(reservar|agendar)\b/,
  ],
  leave_message: [
    /\b(leave|take|pass|give|send)\w* (a |her a |him a |them a |on a )?(quick |short |brief )?(message|msg|note|voicemail)/,
    /\bmessage for\b/,
    // "Would you pass a few things on to the baker", "pass this along".
    /\bpass (something|this|that|it|word|a few things|some things|some info|some information|a couple things)? ?(on|along)\b/,
    /\b(let|tell) (?!me\b|us\b|you\b)(\w+ ){1,2}know\b/,
    /\btell (?!me\b|us\b)(\w+ ){1,2}(that|to) /,
    /\bget (a message|word) to\b|\b(leave|send) word (for|to|with)\b/,
    /\b(le|les) (puede|pueden|podria|podrian|puedes) (avisar|decir|comentar)\b/,
    /\b(dejar|dejarle|dejarles|tomar|tomarme|pasar|pasarle|darle|dar)\w* (un )?(mensaje|recado|nota)/,
    /\b(mensaje|recado) para\b/,
    /\bdejar(le|les)? dicho\b/,
    /\b(digale|digales|dile|diganle|avisele|avisenle|avisale|pasele|pasenle|pasale|comentele|comentenle) (a |al |que )/,
  ],
  callback_request: [
    /\b(call|ring|phone) (me|us) back\b/,
    /\bcall ?back\b|\bring back\b/,
    /\b(call|ring|phone) (me|us) (later|tomorrow|tonight|in the|this|next|at|on|after|before|around|between|when|once)\b/,
    /\b(have|get) (someone|somebody|them|him|her) (to )?(call|ring|phone)/,
    // "Would you give us a buzz", "can someone get back to me".
    /\b(give|gimme) (me|us) a (call|ring|buzz|phone call)\b/,
    /\b(someone|somebody|anyone|you|one of you|they) (can |could |would |will |to )?(call|ring|phone|get back to) (me|us)\b/,
    /\breturn (my|the) call\b/,
    /\b(devolver|devuelvan|devuelva|regresar|regresen|regrese)\w* (la |mi )?llamada\b/,
    /\b(llamenme|llameme|me llamen|me llame|me pueden llamar|me puede llamar|llamarme|marquenme|marqueme|me marquen|me marque|me contacten|me contacte|contactarme)\b/,
    /\bllamar(me|nos)? de (vuelta|regreso)\b/,
    /\b(me|nos) (pueden|puede|podrian|podria|podrias|puedes) (marcar|llamar|hablar|contactar)\b/,
  ],
  complaint: [
    /\b(ridiculous|unacceptable|terrible|horrible|awful|disgusting|outrageous|useless|incompetent|rude|pathetic)\b/,
    // "Worst case" is a hypothetical, not a grievance.
    /\bworst (service|experience|company|business|customer service|place)\b/,
    /\b(furious|angry|upset|frustrated|fed up|sick of|tired of|disappointed|unhappy|not happy|annoyed|livid)\b/,
    /\b(complain|complaint)\w*/,
    /\bwaste of (my )?time\b/,
    /\b(inaceptable|terrible|horrible|pesimo|pesima|ridiculo|ridicula|vergonzoso|una verguenza|inutil|incompetentes?|groseros?)\b/,
    /\b(molest[oa]s?|enojad[oa]s?|enfadad[oa]s?|furios[oa]s?|harto|harta|cansad[oa] de|decepcionad[oa]|indignad[oa])\b/,
    /\b(queja|quejarme|reclamo|reclamacion)\b/,
    /\bnadie me (ayuda|atiende|contesta)\b/,
    /\bes el colmo\b|\bllevo (\w+ ){1,2}(dias|semanas|meses|horas) esperando\b/,
    /\bbeen waiting (for )?(\w+ )?(days|weeks|months|hours)\b/,
  ],
  objection: [
    /\b(too|so|really|way too|very|a bit|a little|pretty|kind of|kinda) (expensive|pricey|costly|steep|much money)\b/,
    /\b(cant|can not|cannot) afford\b/,
    /\bnot interested\b/,
    /\balready (have|use|got|work with)\b/,
    /\b(need|have) to think about it\b|\bnot (right )?now\b.*\b(maybe|later)\b/,
    /\b(muy|demasiado|bastante) car[oa]s?\b/,
    /\bno me interesa\b|\bno estoy interesad[oa]\b/,
    /\bya (tengo|uso|trabajo con|tenemos)\b/,
    /\b(no me alcanza|no puedo pagar)\b/,
  ],
  question: [
    /\?/,
    /^(what|whats|when|where|wheres|how|hows|why|which|who|whos|is|are|do|does|did|can|could|will|would|should|have|has|any|roughly|approximately)\b/,
    // A question asked mid-line: "yeah so ... what's it cost to ...", "ok and is there a deposit".
    /\b(whats|what (is|are|does|do|did|would|will|can|am|should|if|about|kind|time|happens|then|now)|how (much|long|many|soon|far|often|do|does|can|would|should|late|early)|where (is|are|do|can|should)|is there|are there|do you|does it|can you|could you|can i|could i|is it)\b/,
    /\b(wondering|want to know|would like to know|like to know|tell me|information about|info about|question about)\b/,
    /^(que|cuando|donde|como|cual|cuales|cuanto|cuanta|cuantos|cuantas|quien|por que|tienen|hay|aceptan|puedo|pueden|es|son|esta|estan|abren|cierran|atienden|trabajan|ofrecen|hacen|venden)\b/,
    /\b(quisiera saber|quiero saber|queria saber|me puede decir|me podria decir|informacion sobre|una pregunta|una duda)\b/,
  ],
  provide_info: [
    /\b(my name is|my names|this is [a-z]+ [a-z]+$|me llamo|mi nombre es|a nombre de)\b/,
    /^(its |it is |es |seria |thats |just )?(for|para) (an?|una?|the|el|la|my|mi)\b/,
    /\b(my (phone|number|email|address|account)|mi (telefono|numero|correo|direccion|cuenta))\b/,
  ],
  goodbye: [
    /\b(bye|goodbye|good bye|see you|take care|have a (good|nice|great) (day|one|evening|night|weekend))\b/,
    /\b(adios|hasta luego|hasta pronto|hasta manana|nos vemos|chao|chau|que tenga (un )?(buen|buena|lindo)|que le vaya bien)\b/,
    /\b(thats all|that is all|thats it|nothing else|eso es todo|es todo|nada mas)\b/,
  ],
  thanks: [
    /\b(thanks|thank you|thank u|thx|cheers|appreciate)\b/,
    /\b(gracias|se lo agradezco|te lo agradezco|muy amable|agradecid[oa])\b/,
  ],
  deny: [
    /^(no|nope|nah|not really|not at all|negative|no no)\b/,
    /\b(thats not right|thats wrong|not correct|incorrect|dont do that|i dont want)\b/,
    /\b(no es correcto|no esta bien|eso no|para nada|no gracias|tampoco|no quiero)\b/,
  ],
  affirm: [
    /^(yes|yeah|yep|yup|sure|ok|okay|correct|right|exactly|absolutely|definitely|of course|please do|go ahead|sounds good|perfect|great|that works|alright|fine|uh huh)\b/,
    /\b(thats (right|correct|perfect|fine|great)|that works|sounds (good|great|fine)|go ahead|yes please)\b/,
    /^(si|claro|correcto|exacto|de acuerdo|vale|perfecto|por supuesto|dale|bueno|esta bien|ok|okey|sale|asi es|eso es)\b/,
  ],
  small_talk: [],
  greeting: [
    /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|morning|afternoon|evening|howdy|greetings)\b/,
    /^(hola|buenos dias|buenas tardes|buenas noches|buen dia|buenas|alo|alo|diga|bueno)\b/,
    // Checking someone is on the line is a hello too.
    /^((is )?(anybody|anyone|somebody|someone) there|(are )?you there|hay alguien|me (escucha|escuchas|oye|oyes))\b/,
  ],
};

/**
 * Booking asked for as a need rather than by name: someone to come and look, fitting the caller in, bringing
 * something in, getting something done. Read only when the line asks no price (then it is a question about
 * cost, however it goes on) and names no explicit act before booking.
 */
export const BOOKING_NEED: readonly RegExp[] = [
  /\b(someone|somebody|anyone|you|you guys|one of you|a \w+) (could |can |would |to )?(come )?(out |over |by |round |around )?(and )?(take|have|get) a (look|peek)\b/,
  /\b(someone|somebody|anyone|you|you guys|a \w+) (could |can |would |to )?(come|stop|swing|pop) (out|over|by|round|around)\b/,
  /\b(send|get) (someone|somebody|a \w+) (out|over|round|here|today|tonight|tomorrow|this)\b/,
  /\b(can|could) (i|we) (drop|bring) (it|them|her|him|my \w+|the \w+|our \w+) (off|in|by)\b/,
  /\b(fit|squeeze|get|pencil|put) (me|us|him|her|them) in\b|\b(squeeze|fit|pencil) (my \w+ |our \w+ )?in (a|an|my|our|the)\b/,
  /\b(like|need|want|looking for|get) (someone|somebody) to (come|look|check|inspect|go over|go through|fix|repair|take a look|have a look|see|examine|service)\b/,
  /\bbring (it|her|him|them|my \w+|the \w+|our \w+|in my \w+|in the \w+)( \w+)? in\b|\bbring in (my|the|our)\b/,
  /\b(get|bring) (it|her|him|them|my \w+|the \w+|our \w+) in (for|on|today|tomorrow|tonight|this|next)\b/,
  /\bdrop (my|the|our) \w+ off\b|\bdrop off (my|the|our) \w+ (for|this|next|on|tomorrow|today)\b/,
  /\b(get|have) (my|our|the|it|them|this|that) (\w+ ){0,3}(looked at|checked|checked out|fixed|repaired|serviced|inspected|done|cut|colored|coloured|dyed|trimmed|styled|cleaned|seen to|replaced|tuned|treated)\b/,
  /\b(need|want|like|have) to (see|be seen by) (a|an|the|someone|somebody|dr|doctor|one of)\b/,
  // A person coming in or being seen, not a parcel or a part "coming in this week".
  /\b(i|we|me|us|he|she|him|her|they|them)( \w+){0,3} (come|get|getting|be) (in|seen) (for|this|next|today|tomorrow|on|some ?time|soon)\b/,
  /\b(chance|way|possible|possibility) (of |to |for me to )?(get|getting|come|coming) (in|seen)\b/,
  /\b(earliest|soonest|next) (availability|available|opening|appointment|slot|time you have)\b/,
  // A thing needed by a day: "I need a trim this week". Not an answer, a refund or an update needed by then.
  /\b(need|needs|want|would like|looking for|hoping for) (a|an) (?!answer|update|refund|reply|response|quote|estimate|call|replacement|copy|receipt|invoice|delivery|package|order|shipment|statement|bill|new one)(\w+ ){1,2}(today|tomorrow|tonight|this (week|weekend|morning|afternoon|evening)|next (week|\w+day)|on \w+day)\b/,
  /\b(quiero|quisiera|queria|necesito|me gustaria|vengo a) (cortarme|hacerme|tenirme|pintarme|arreglarme|revisarme|checarme|depilarme|peinarme|vacunar|banar)\b/,
  /\b(que )?(me|nos) (lo |la |los |las )?(revisen|revise|arreglen|arregle|vean|vea|chequen|cheque|atiendan|atienda|corten|corte|pinten|tinan|tina|reparen|repare|cambien|cambie|hagan|haga)\b/,
  // "¿Puede pasar el cerrajero?" is a visit; "¿me puede pasar la extensión?" is not.
  /(?<!\bme )\b(pueden|puede|podrian|podria|podrias|puedes) (venir|pasar|mandar a alguien|enviar a alguien|darme (una )?(cita|hora|turno)|atenderme|recibirme|revisarlo|revisarla|verlo|verla)\b/,
  /\bque alguien (venga|pase|revise|vea|me atienda|le eche un vistazo)\b/,
  /\b(quiero|quisiera|queria|necesito|tengo que) (llevar|traer) (el|la|mi|los|las|mis) \w+/,
];

/**
 * A change the caller only expects ("if we need to change the date", "por si tuviera que cancelar"): with a
 * question in the line, the question is what they called about, not the change.
 */
export const HYPOTHETICAL =
  /\b(might|may|could|in case i|if i|if we|what if i|what if we) (have to |need to |end up |ever )?(move|change|cancel|reschedule|miss|skip|book|not make|cant make)\b|\b(si|en caso de que|por si) (al final |acaso )?(no puedo|no pudiera|tengo que|tuviera que|necesito) (ir|cancelar|cambiar|mover|llegar|asistir)\b/;

/** A line asking a price or a cost: "what would that set us back", "cuánto me saldría". */
export const ASKS_PRICE =
  /\b(how much|cost|costs|price|prices|pricing|charge|charges|fee|fees|set me back|quote|estimate|rate|rates|cuanto cuesta|cuanto (me )?(sale|saldria|cobran|costaria|cuesta|seria)|precio|precios|tarifa|cobran)\b/;

/**
 * Openers that carry no request: hellos, "yeah so", "ok and", fillers. Stripped from the line's start so the
 * request after them is read (a line opening "yeah" is not a yes when a question follows).
 */
const OPENER =
  /^(?:(?:(?:is )?(?:anybody|anyone|somebody|someone) there|(?:are )?you there|hay alguien|me (?:escucha|escuchas|oye|oyes)|hi there|hey there|hello there|good (?:morning|afternoon|evening)|buenos dias|buenas tardes|buenas noches|buen dia|a ver|hi|hello|hey|hiya|howdy|yeah|yes|yep|ok|okay|so|well|right|alright|um|umm|uh|er|oh|ah|ha|haha|hmm|good|great|cool|and|also|listen|look|morning|afternoon|evening|guys|folks|hola|buenas|oiga|oye|mire|mira|pues|bueno|este|si|vale|claro|ey|y|oh|mmm)(?: |$))+/;

/** Pleasantries: how the caller is, how the day goes, hoping it goes well; and the answers to them. */
const PLEASANTRY = [
  /\bhow (are|re|r|is|s) (you|ya|u|it|things|everything|everyone|everybody|you all|life|your (day|morning|afternoon|evening|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday))( all)?( going| doing| been| treating you| holding up)?( so far| today| this (morning|afternoon|evening|week))?\b/,
  /\bhow(re|s) (you|ya|it|things|everything|everyone|everybody|life|your \w+)( all)?( going| doing| been| treating you| holding up| coming along)?( so far| today| this \w+)?\b/,
  /\b(i )?hope (youre|you are|you re|youve|you have|you had|your \w+|the \w+|all|everything)( \w+){0,4}? (well|ok|okay|good|great|fine|alright|nice|lovely|better than mine)( one| day| week| weekend)?\b/,
  /\b(good good|not bad|fine thanks|doing (good|well|great|fine)|im (good|well|great|fine|doing well|doing good|doing great)|cant complain|all good)\b/,
  /\b(que tal|como esta|como estas|como estan|como le va|como te va|como va (su|tu|el) dia|como ha estado|como has estado|espero que (este|estes|le vaya|te vaya|este teniendo|estes teniendo) (bien|un buen dia)|todo bien)\b/,
];

/** Words left around a pleasantry that ask nothing: "how are you guys today", "¿y usted?". */
const RESIDUE = new Set(
  'today so far then over there guys folks you ya too and also as well this morning afternoon evening hoy y usted ustedes tu ti por alla va todo'.split(
    ' ',
  ),
);

/** The line with its openers and pleasantries taken out, and whether it had a pleasantry. */
export const coreOf = (line: string): { readonly core: string; readonly pleasantry: boolean } => {
  let rest = line.replace(/\?/g, ' ').replace(/\s+/g, ' ').trim();
  let pleasantry = false;
  for (let pass = 0; pass < 3; pass += 1) {
    rest = rest.replace(OPENER, '').trim();
    for (const re of PLEASANTRY) {
      const stripped = rest.replace(re, ' ').replace(/\s+/g, ' ').trim();
      if (stripped !== rest) {
        pleasantry = true;
        rest = stripped;
      }
    }
  }
  const core = rest.replace(OPENER, '').trim();
  const asksNothing = pleasantry && core.split(' ').every((w) => w === '' || RESIDUE.has(w));
  return { core: asksNothing ? '' : core, pleasantry };
};
